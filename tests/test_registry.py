"""vaegan.registry: a checkpoint's class name and config rebuild the model."""

import pytest

from vaegan.autoencoders.models import VAE
from vaegan.registry import build_model


def test_build_model_from_recorded_config():
    model = VAE(latent_size=3, hidden_size=16)
    rebuilt = build_model("VAE", **model.config)
    assert rebuilt.config == model.config
    with pytest.raises(ValueError, match="unknown model class 'Transformer'"):
        build_model("Transformer")


def test_every_run_gets_its_family_trainer_and_every_class_is_known():
    from vaegan.autoencoders.train import AutoencoderTrainer, VAETrainer
    from vaegan.autoregressive.train import ARTrainer
    from vaegan.gans.train import GANTrainer
    from vaegan.judge.training import ClassifierTrainer
    from vaegan.recipes import RECIPES, recipe
    from vaegan.registry import MODEL_CLASSES, trainer_class

    expected = {"classifier": ClassifierTrainer, "autoencoder": AutoencoderTrainer, "vae": VAETrainer, "mlp_vae": VAETrainer,
                "dcgan_mnist": GANTrainer, "mlp_gan": GANTrainer, "pixelcnn": ARTrainer, "pixel_lstm": ARTrainer}
    for name, trainer in expected.items():
        assert trainer_class(recipe(name, "smoke")) is trainer, name
    assert {trainer_class(recipe(name, "smoke")) for name in RECIPES} <= set(expected.values())
    with pytest.raises(TypeError, match="no trainer takes dict"):
        trainer_class({"model": "vae"})
    assert len(MODEL_CLASSES) == 10
