"""Judging generators: sampling, latent walks, layer tables, timelines, the optional FID, the GAN recipes."""

import json
import math
import time

import numpy as np
import pytest
import torch

from vaegan import metrics
from vaegan.checkpoints import load_pretrained
from vaegan.gan_evaluation import evaluate_generator, generate, generate_from, slerp, walk
from vaegan.gan_train import GANArgs, GANTrainer, load_timeline
from vaegan.inception_fid import inception_fid
from vaegan.model_summary import layer_table, markdown_table, parameter_count
from vaegan.models import DCGANDiscriminator, DCGANGenerator, MLPGenerator
from vaegan.plotting import moving_average, plot_signals
from vaegan.recipes import RECIPES, recipe


@pytest.fixture(scope="module")
def digits(data_root):
    from vaegan import data

    return data.mnist(train=True, scale="symmetric", limit=256)


def test_slerp_ends_at_both_codes_and_keeps_the_norm():
    generator = torch.Generator().manual_seed(0)
    start, end = torch.randn(100, generator=generator), torch.randn(100, generator=generator)
    end = end * start.norm() / end.norm()  # equal norms: the great circle keeps them all along
    path = slerp(start, end, 9)
    assert path.shape == (9, 100)
    torch.testing.assert_close(path[0], start)
    torch.testing.assert_close(path[-1], end)
    torch.testing.assert_close(path.norm(dim=1), torch.full((9,), start.norm().item()))
    assert ((start + end) / 2).norm() < 0.8 * start.norm()  # the straight line's midpoint is much shorter
    torch.testing.assert_close(slerp(start, start, 3), start.expand(3, -1))  # same direction: no division by zero
    with pytest.raises(ValueError, match="steps must be at least 2"):
        slerp(start, end, 1)
    with pytest.raises(ValueError, match="two vectors of one shape"):
        slerp(start, end[:5], 4)


def test_generate_is_reproducible_in_unit_range_and_restores_the_mode():
    torch.manual_seed(0)
    generator = DCGANGenerator(16, (8, 16), (1, 28, 28))
    generator.train()
    first, again = generate(generator, 10, seed=3), generate(generator, 10, seed=3)
    assert first.shape == (10, 1, 28, 28) and torch.equal(first, again)
    assert 0 <= first.min() and first.max() <= 1 and generator.training
    assert not torch.equal(first, generate(generator, 10, seed=4))
    codes = torch.randn(4, 16)
    path = walk(generator, codes[0], codes[1], steps=5)
    assert path.shape == (5, 1, 28, 28)
    torch.testing.assert_close(path[0], generate_from(generator, codes[:1])[0])
    with pytest.raises(ValueError, match=r"latents of shape \(batch, 16\)"):
        generate_from(generator, torch.randn(2, 15))
    with pytest.raises(ValueError, match="count must be at least 1"):
        generate(generator, 0)


def test_evaluate_generator_scores_mnist_and_times_faces(data_root):
    report = evaluate_generator(MLPGenerator(), samples=200)
    assert {"confident_share", "class_coverage", "class_histogram", "frechet_distance", "seconds_per_1000"} <= set(report)
    assert report["frechet_distance"] > 100 and report["seconds_per_1000"] > 0  # an untrained generator is far from digits
    faces = evaluate_generator(DCGANGenerator(16, (8, 16, 32), (3, 64, 64)), samples=20)
    assert set(faces) == {"samples", "seconds_per_1000"}


def test_effective_classes_of_real_and_of_repeated_digits(data_root):
    from vaegan import data

    digits = data.mnist(train=False, limit=1000)
    assert metrics.effective_classes(digits.images) > 9.5
    one = digits.images[digits.labels == 3][:1].expand(200, -1, -1, -1)
    assert metrics.effective_classes(one) == pytest.approx(1.0)
    two = torch.cat([one[:100], digits.images[digits.labels == 7][:1].expand(100, -1, -1, -1)])
    assert metrics.effective_classes(two) == pytest.approx(2.0)


def test_layer_table_lists_leaves_with_shapes_and_parameters():
    generator = DCGANGenerator(100, (32, 64), (1, 28, 28))
    rows = layer_table(generator, torch.randn(1, 100))
    assert [row["kind"] for row in rows][-2:] == ["ConvTranspose2d", "Tanh"]
    assert rows[-1]["output"] == (1, 1, 28, 28)
    assert sum(row["parameters"] for row in rows) == parameter_count(generator) == sum(p.numel() for p in generator.parameters())
    spectral = DCGANDiscriminator((32, 64), (1, 28, 28), norm="spectral")
    rows = layer_table(spectral, torch.zeros(1, 1, 28, 28))
    assert [row["kind"] for row in rows if row["parameters"]] == ["ParametrizedConv2d", "ParametrizedConv2d", "ParametrizedLinear"]
    assert sum(row["parameters"] for row in rows) == parameter_count(spectral)
    table = markdown_table(rows)
    assert table.splitlines()[0].startswith("| layer |") and f"**{parameter_count(spectral):,}**" in table
    assert generator.training  # restored after the eval-mode pass


def test_moving_average_skips_nan_and_plot_signals_names_missing_keys():
    values = [1.0, float("nan"), 3.0, 5.0]
    np.testing.assert_allclose(moving_average(values, 2), [1.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="window must be at least 1"):
        moving_average(values, 0)
    history = [{"step": 1, "d_loss": 1.0}, {"step": 2, "d_loss": 0.5}]
    with pytest.raises(KeyError, match=r"no signal \['g_loss'\]"):
        plot_signals(history, ["g_loss"])
    with pytest.raises(ValueError, match="history is empty"):
        plot_signals([], ["d_loss"])


def test_timeline_round_trip(digits, tmp_path):
    args = GANArgs(latent_size=8, hidden_channels=(8, 16), batch_size=32, epochs=1, log_every=3, sample_count=8, progress=False)
    trainer = GANTrainer(args, trainset=digits)
    trainer.train()
    trainer.save(tmp_path / "run", timeline=4)
    timeline = load_timeline(tmp_path / "run")
    assert timeline["steps"].tolist() == [snapshot["step"] for snapshot in trainer.snapshots] == [0, 3, 6, 8]
    assert timeline["samples"].shape == (4, 4, 1, 28, 28)
    torch.testing.assert_close(timeline["samples"][-1], trainer.snapshots[-1]["samples"][:4], atol=1 / 255, rtol=0)
    assert len(timeline["history"]) == trainer.step and timeline["history"][-1]["step"] == trainer.step
    assert timeline["history"][-1]["d_loss"] == pytest.approx(trainer.history[-1]["d_loss"])
    with pytest.raises(FileNotFoundError, match="timeline=k"):
        load_timeline(tmp_path / "other")


def test_inception_fid_is_skipped_cleanly_offline():
    images = torch.rand(4, 1, 28, 28)
    started = time.perf_counter()
    value, reason = inception_fid(images, images)
    assert time.perf_counter() - started < 10  # never hangs on a missing network
    assert value is None and reason.startswith("skipped:") and ("install" in reason or "offline" in reason)
    with pytest.raises(ValueError, match=r"\(n, 1 or 3, h, w\)"):
        from vaegan.inception_fid import _three_channels

        _three_channels(torch.rand(2, 2, 8, 8))


def test_gan_recipes_follow_the_papers():
    for name in ("mlp_gan", "dcgan_mnist", "sn_dcgan_mnist", "wgan_gp_mnist", "celeba_dcgan"):
        for profile in ("smoke", "book", "full"):
            assert isinstance(recipe(name, profile), GANArgs)
    wgan = recipe("wgan_gp_mnist", "full")
    assert (wgan.loss, wgan.norm, wgan.gp_weight, wgan.critic_steps, wgan.lr, wgan.betas) == ("wgan-gp", "none", 10.0, 5, 1e-4, (0.0, 0.9))
    radford = recipe("dcgan_mnist", "full")
    assert (radford.lr, radford.betas, radford.norm) == (2e-4, (0.5, 0.999), "batch")
    assert recipe("celeba_dcgan", "full").hidden_channels == (128, 256, 512)  # ARENA's
    assert recipe("sn_dcgan_mnist", "book").norm == "spectral"
    seminar = recipe("mlp_gan", "full")
    assert (seminar.model, seminar.latent_size, seminar.hidden_size, seminar.epochs) == ("mlp", 20, 400, 10)


@pytest.mark.parametrize("name", ["mlp_gan", "sn_dcgan_mnist", "wgan_gp_mnist", "celeba_dcgan", "vae"])
def test_committed_gan_chapter_checkpoints_match_their_book_recipes(name):
    model, record = load_pretrained(name, expected_args=recipe(name, "book"))
    command = record["command"].split()
    assert command[:5] == ["python", "-m", "vaegan", "train", name] and "--profile book" in record["command"]
    assert record["metrics"]["profile"] == "book" and record["stored_dtype"] == "float16"
