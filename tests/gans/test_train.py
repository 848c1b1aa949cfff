"""vaegan.gans.train: the GAN trainer's signals, reproducibility and divergence check."""

import dataclasses

import pytest
import torch

from vaegan.core import data, scales
from vaegan.gans.models import MLPDiscriminator, MLPGenerator
from vaegan.gans.train import DivergenceError, GANArgs, GANTrainer
from vaegan.registry import load_checkpoint


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(loss="wgan-gp"), "must not use batch norm"),
        (dict(model="vae"), "model must be 'mlp' or 'dcgan'"),
        (dict(dataset="cifar10"), "unknown dataset"),
        (dict(batch_size=1), "batch_size must be >= 2"),
        (dict(generator_loss="hinge"), "generator_loss must be one of"),
        (dict(model="mlp", norm="spectral"), "dcgan discriminator only"),
        (dict(critic_steps=0), "critic_steps must be >= 1"),
        (dict(lr_schedule="cosine"), "lr_schedule must be one of constant, linear"),
        (dict(extra_layers=-1), "extra_layers must be an int >= 0"),
        (dict(model="mlp", extra_layers=1), "dcgan generator only"),
    ],
)
def test_bad_gan_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GANArgs(**kwargs)


def quick(**overrides):
    settings = dict(latent_size=8, hidden_channels=(8, 16), batch_size=32, epochs=2, log_every=4, sample_count=8, progress=False)
    return GANArgs(**{**settings, **overrides})


@pytest.fixture(scope="module")
def digits(data_root):
    return data.mnist(train=True, scale="symmetric", limit=256)


def test_trainer_records_every_signal_and_is_reproducible(digits):
    first = GANTrainer(quick(), trainset=digits)
    first.train()
    assert first.step == 2 * 8 and len(first.history) == 16
    assert {"d_loss", "g_loss", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"} <= set(first.history[-1])
    assert all(torch.isfinite(torch.tensor(list(row.values()), dtype=torch.float64)).all() for row in first.history)
    assert [s["step"] for s in first.snapshots] == [0, 4, 8, 12, 16]
    assert first.snapshots[-1]["samples"].shape == (8, 1, 28, 28)
    assert 0 <= first.snapshots[-1]["samples"].min() and first.snapshots[-1]["samples"].max() <= 1
    again = GANTrainer(quick(), trainset=digits)
    again.train()
    assert [row["d_loss"] for row in again.history] == [row["d_loss"] for row in first.history]


def test_linear_schedule_takes_both_rates_from_full_to_near_zero(digits):
    trainer = GANTrainer(quick(lr_schedule="linear", lr=1e-3, discriminator_lr=4e-3), trainset=digits)
    rates = []
    step = trainer.training_step
    trainer.training_step = lambda *batch: (step(*batch), rates.append(
        (trainer.optimizer_g.param_groups[0]["lr"], trainer.optimizer_d.param_groups[0]["lr"])))[0]
    trainer.train()
    total = trainer.step
    assert total == 16 and len(rates) == total
    assert rates[0] == pytest.approx((1e-3, 4e-3))
    assert rates[-1] == pytest.approx((1e-3 / total, 4e-3 / total))
    assert all(later[0] < earlier[0] for earlier, later in zip(rates, rates[1:]))
    constant = GANTrainer(quick(), trainset=digits)
    constant.train()
    assert constant.optimizer_g.param_groups[0]["lr"] == quick().lr


def test_wgan_gp_updates_the_generator_every_fifth_step(digits):
    trainer = GANTrainer(quick(loss="wgan-gp", norm="none", critic_steps=5, epochs=1, lr=1e-4, betas=(0.0, 0.9)), trainset=digits)
    trainer.train()
    generator_steps = trainer.optimizer_g.state[next(trainer.generator.parameters())]["step"].item()
    assert trainer.step == 8 and generator_steps == 1


def test_a_nan_loss_stops_training_naming_the_step_and_network(digits, monkeypatch):
    trainer = GANTrainer(quick(), trainset=digits)
    trainer.train()
    monkeypatch.setattr(trainer.discriminator, "forward", lambda x: torch.full((x.shape[0],), float("nan")))
    with pytest.raises(DivergenceError, match=r"step 17: the discriminator's loss is nan"):
        trainer.training_step(digits.images[:32], digits.labels[:32])


def test_mlp_gan_and_checkpoints_round_trip(digits, tmp_path):
    unit = data.ImageTensors(scales.to_unit(digits.images, "symmetric"), digits.labels, "unit")
    trainer = GANTrainer(quick(model="mlp", latent_size=20, hidden_size=64, epochs=1), trainset=unit)
    generator = trainer.train()
    assert isinstance(generator, MLPGenerator) and isinstance(trainer.discriminator, MLPDiscriminator)
    trainer.save(tmp_path / "gan", discriminator=True)
    loaded, record = load_checkpoint(tmp_path / "gan")
    z = torch.randn(3, 20)
    torch.testing.assert_close(loaded.eval()(z), generator.eval()(z))
    assert record["args"]["model"] == "mlp" and record["steps"] == 8
    critic, _ = load_checkpoint(tmp_path / "gan_discriminator")
    assert isinstance(critic, MLPDiscriminator)


def test_trainer_refuses_wrong_image_shapes():
    faces = data.ImageTensors(torch.zeros(64, 3, 64, 64), torch.zeros(64, dtype=torch.long), "symmetric")
    with pytest.raises(ValueError, match=r"images of shape \(batch, 1, 28, 28\)"):
        GANTrainer(quick(), trainset=faces)
    with pytest.raises(TypeError, match="needs GANArgs"):
        GANTrainer(dataclasses.asdict(quick()))


def test_gan_wandb_logging_offline(digits, offline_wandb, offline_wandb_flush):
    tmp_path = offline_wandb
    trainer = GANTrainer(quick(epochs=1, use_wandb=True, wandb_name="gan-test"), trainset=digits)
    trainer.train()
    offline_wandb_flush()
    runs = list(tmp_path.rglob("run-*.wandb"))
    assert runs and runs[0].stat().st_size > 1000 and trainer.wandb is None
