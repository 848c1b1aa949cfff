"""vaegan.core.model: one way to draw images for every family, one way to switch a model's mode."""

import ast
from pathlib import Path

import pytest
import torch
from torch import nn

from vaegan.autoencoders.models import MLPVAE, VAE, Autoencoder, is_variational
from vaegan.autoregressive.models import PixelCNN, PixelLSTM
from vaegan.core.model import GenerativeModel, mode
from vaegan.core.scales import to_unit
from vaegan.gans.models import DCGANGenerator, MLPGenerator

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "vaegan"

GENERATIVE = {
    "autoencoder": lambda: Autoencoder(latent_size=3, hidden_size=16),
    "vae": lambda: VAE(latent_size=3, hidden_size=16),
    "bernoulli vae": lambda: VAE(latent_size=3, hidden_size=16, output_scale="logits"),
    "face vae": lambda: VAE(4, 16, (3, 64, 64), (8, 8, 8, 8), output_scale="symmetric"),
    "mlp vae": lambda: MLPVAE(latent_size=4, hidden_size=16),
    "mlp gan": lambda: MLPGenerator(latent_size=4, hidden_size=16),
    "dcgan": lambda: DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(1, 28, 28)),
    "pixel lstm": lambda: PixelLSTM(hidden_size=4, image_shape=(1, 4, 4)),
    "pixelcnn": lambda: PixelCNN(channels=4, layers=1, image_shape=(1, 4, 4)),
}


@pytest.mark.parametrize("name", GENERATIVE)
def test_every_family_draws_images_in_unit_range_reproducibly_and_keeps_its_mode(name):
    torch.manual_seed(0)
    model = GENERATIVE[name]()
    assert isinstance(model, GenerativeModel)
    images = model.sample_images(5, seed=3)
    assert images.shape == (5, *model.image_shape)
    assert images.min() >= 0 and images.max() <= 1
    assert torch.equal(images, model.sample_images(5, seed=3))
    assert not torch.equal(images, model.sample_images(5, seed=4))
    assert model.training  # drawing switched to evaluation mode and back
    with pytest.raises(ValueError, match="at least 1"):
        model.sample_images(0)


def test_to_pixels_follows_the_model_output_scale():
    logits = torch.randn(2, 1, 28, 28)
    assert torch.equal(VAE(output_scale="logits").to_pixels(logits), torch.sigmoid(logits))
    assert torch.equal(VAE().to_pixels(logits), to_unit(logits, "standard"))
    assert torch.equal(DCGANGenerator(image_shape=(1, 32, 32), hidden_channels=(4, 8)).to_pixels(logits), to_unit(logits, "symmetric"))
    with pytest.raises(ValueError, match="output_scale"):
        VAE(output_scale="percent")


def test_latent_variable_models_decode_the_same_codes_they_sample():
    model = DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(1, 28, 28))
    codes = model.sample_latents(4, torch.Generator().manual_seed(2))
    assert torch.equal(model.decode_images(codes), model.sample_images(4, seed=2))
    with pytest.raises(ValueError, match=r"\(batch, 8\)"):
        model.decode_images(torch.randn(4, 7))


def test_is_variational_answers_by_class():
    assert is_variational(VAE()) and is_variational(MLPVAE())
    assert not is_variational(Autoencoder()) and not is_variational(nn.Linear(2, 2))


def test_mode_switches_and_restores_each_model_even_after_an_error():
    training, evaluating = nn.Linear(2, 2), nn.Linear(2, 2).eval()
    with mode(training, evaluating):
        assert not training.training and not evaluating.training
    assert training.training and not evaluating.training
    with mode(training, evaluating, train=True):
        assert training.training and evaluating.training
    assert not evaluating.training
    with pytest.raises(RuntimeError), mode(training):
        raise RuntimeError("inside")
    assert training.training


def _mode_changes(tree: ast.AST) -> list[int]:
    """Lines that call a module's ``eval()`` or ``train(flag)`` directly. A bare ``x.train()`` is a
    trainer's loop unless ``x`` names a network."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "eval" and not node.args:
                lines.append(node.lineno)
            elif node.func.attr == "train":
                receiver = ast.unparse(node.func.value)
                if node.args or any(word in receiver for word in ("model", "generator", "discriminator", "network", "classifier")):
                    lines.append(node.lineno)
    return lines


def test_package_code_changes_a_model_mode_only_through_mode():
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if path.name != "model.py" or path.parent.name != "core"
        for lines in [_mode_changes(ast.parse(path.read_text()))]
        if lines
    }
    assert not found, f"direct .eval()/.train(flag) calls (use vaegan.core.model.mode): {found}"


def test_the_mode_rule_catches_a_direct_call():
    assert _mode_changes(ast.parse("model.eval()\nself.generator.train(False)\ntrainer.train()\n")) == [1, 2]
