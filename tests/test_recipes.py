"""vaegan.recipes: every named run is valid in every profile and follows its paper."""

import dataclasses
import re

import pytest

from vaegan.gans.train import GANArgs
from vaegan.cli import args_from_command
from vaegan.recipes import RECIPES, REFERENCES, recipe, reference_args
from vaegan.registry import load_pretrained, load_reference


def test_every_recipe_is_valid_in_every_profile():
    for name in RECIPES:
        for profile in ("smoke", "book", "full"):
            args = recipe(name, profile)
            assert dataclasses.is_dataclass(args)
    assert recipe("vae", "full").epochs == 10 and recipe("vae", "full").beta_kl == 0.1
    assert recipe("vae", "smoke", epochs=2).epochs == 2
    with pytest.raises(ValueError, match="unknown run 'gan'"):
        recipe("gan")


def test_gan_recipes_follow_the_papers():
    for name in ("mlp_gan", "dcgan_mnist", "sn_dcgan_mnist", "wgan_gp_mnist", "celeba_dcgan"):
        for profile in ("smoke", "book", "full"):
            assert isinstance(recipe(name, profile), GANArgs)
    wgan = recipe("wgan_gp_mnist", "full")
    assert (wgan.loss, wgan.norm, wgan.gp_weight, wgan.critic_steps, wgan.lr, wgan.betas) == ("wgan-gp", "none", 10.0, 5, 1e-4, (0.0, 0.9))
    radford = recipe("dcgan_mnist", "full")
    assert (radford.lr, radford.betas, radford.norm) == (2e-4, (0.5, 0.999), "batch")
    # the reference recipe lowers both rates to 0 over the run; the page's short runs keep them constant
    assert radford.lr_schedule == "linear" and recipe("dcgan_mnist", "book").lr_schedule == "constant"
    assert recipe("sn_dcgan_mnist", "full") == dataclasses.replace(radford, norm="spectral")
    arena = recipe("celeba_dcgan", "full")
    assert arena.hidden_channels == (128, 256, 512) and arena.lr_schedule == "linear"  # ARENA's width
    # the face reference is that recipe at half the width, and nothing else changed
    assert reference_args("celeba_dcgan_reference") == dataclasses.replace(arena, hidden_channels=(64, 128, 256))
    assert recipe("sn_dcgan_mnist", "book").norm == "spectral"
    seminar = recipe("mlp_gan", "full")
    assert (seminar.model, seminar.latent_size, seminar.hidden_size, seminar.epochs) == ("mlp", 20, 400, 10)


@pytest.mark.parametrize("name", ["mlp_gan", "celeba_dcgan", "vae"])
def test_committed_gan_chapter_checkpoints_match_their_book_recipes(name):
    model, record = load_pretrained(name, expected_args=recipe(name, "book"))
    command = record["command"].split()
    assert command[:5] == ["python", "-m", "vaegan", "train", name] and "--profile book" in record["command"]
    assert record["metrics"]["profile"] == "book" and record["stored_dtype"] == "float16"


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_committed_references_are_made_by_the_one_command_in_their_metadata(name):
    reference = REFERENCES[name]
    model, record = load_reference(name)
    # the recorded command, parsed as the command line parses it, trains exactly the reference's arguments
    assert args_from_command(record["command"]) == reference_args(name)
    command = record["command"].split()
    assert command[4] == reference.run and "--profile" not in command  # the full recipe...
    assert command[command.index("--save-as") + 1] == name
    # it is the command a missing reference's error gives, side files included, up to the options that
    # change only the speed or allow the replacement (--threads, --overwrite)
    speed_only = re.sub(r" --threads \d+| --overwrite", "", record["command"])
    assert speed_only == reference.command(name)
    assert record["metrics"]["profile"] == "full" and record["steps"] > 0
    # ...changed only where a CPU could not afford it, and the reason is given
    assert bool(reference.cpu_overrides) == bool(reference.why)
    # the training curve: every step's losses (the autoregressive references made before the curve
    # kept "nll" have it in their history)
    curve = record["training_curve"]
    if len(curve) == 1:
        curve = record["history"]
    assert len(curve) > 1 and all(len(values) == record["steps"] for values in curve.values())


def test_a_reference_trained_with_other_arguments_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown reference 'dcgan_mnist'.*dcgan_mnist_reference"):
        load_reference("dcgan_mnist")
    with pytest.raises(ValueError, match="not a `python -m vaegan train` command"):
        args_from_command("python -m vaegan bounds bernoulli_vae")
    # the command a missing reference's error gives trains exactly that reference
    for name in REFERENCES:
        assert args_from_command(REFERENCES[name].command(name)) == reference_args(name)
    # a run trained with other arguments than its reference's is not that reference
    assert args_from_command("python -m vaegan train pixel_lstm --epochs 2") != reference_args("pixel_lstm_reference")


def test_a_references_arguments_and_command_keep_to_its_recipe():
    from vaegan.recipes import Reference

    with pytest.raises(ValueError, match="hidden_size would change the reference model"):
        REFERENCES["pixel_lstm_reference"].args(hidden_size=64)
    assert REFERENCES["pixel_lstm_reference"].args(progress=False).progress is False
    # a tuple is written as --set spells it, and the command parses back to the same arguments
    wide = Reference("dcgan_mnist", {"hidden_channels": (32, 96)}, why="a test")
    assert "--set hidden_channels=32,96" in wide.command("wide")
    assert args_from_command(wide.command("wide")) == wide.args()
