"""vaegan.recipes: every named run is valid in every profile and follows its paper."""

import dataclasses

import pytest

from vaegan.gans.train import GANArgs
from vaegan.recipes import RECIPES, recipe
from vaegan.registry import load_pretrained


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
    assert recipe("celeba_dcgan", "full").hidden_channels == (128, 256, 512)  # ARENA's
    assert recipe("sn_dcgan_mnist", "book").norm == "spectral"
    seminar = recipe("mlp_gan", "full")
    assert (seminar.model, seminar.latent_size, seminar.hidden_size, seminar.epochs) == ("mlp", 20, 400, 10)


@pytest.mark.parametrize("name", ["mlp_gan", "celeba_dcgan", "vae"])
def test_committed_gan_chapter_checkpoints_match_their_book_recipes(name):
    model, record = load_pretrained(name, expected_args=recipe(name, "book"))
    command = record["command"].split()
    assert command[:5] == ["python", "-m", "vaegan", "train", name] and "--profile book" in record["command"]
    assert record["metrics"]["profile"] == "book" and record["stored_dtype"] == "float16"


@pytest.mark.parametrize("name, run", [("dcgan_mnist_reference", "dcgan_mnist"),
                                       ("sn_dcgan_mnist_reference", "sn_dcgan_mnist"),
                                       ("wgan_gp_mnist_reference", "wgan_gp_mnist"),
                                       ("pixelcnn_reference", "pixelcnn")])
def test_committed_references_are_their_full_recipes_made_by_one_command(name, run):
    model, record = load_pretrained(name, expected_args=recipe(run, "full"))
    command = record["command"].split()
    assert command[:5] == ["python", "-m", "vaegan", "train", run] and "--profile" not in command
    assert command[command.index("--save-as") + 1] == name
    assert record["metrics"]["profile"] == "full" and record["steps"] > 0
    # the training curve: every logged step's losses
    assert len(record["training_curve"]["step"]) == record["steps"]
