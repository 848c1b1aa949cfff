"""vaegan.core.trainer: one divergence rule for every family, and no run that would take zero steps."""

import dataclasses

import pytest

from vaegan.autoencoders.train import AutoencoderArgs, VAEArgs
from vaegan.autoregressive.train import ARArgs
from vaegan.core import data
from vaegan.core.trainer import DivergenceError
from vaegan.gans.train import GANArgs
from vaegan.judge.training import ClassifierArgs
from vaegan.registry import trainer_for

QUIET = dict(progress=False, log_every=1000)


@pytest.fixture(scope="module")
def digits(data_root):
    return data.mnist(train=True, limit=256)


def _args(kind, **overrides):
    made = {
        "autoencoder": lambda: AutoencoderArgs(batch_size=64, epochs=1, hidden_size=16, latent_size=2, **QUIET),
        "vae": lambda: VAEArgs(batch_size=64, epochs=1, hidden_size=16, latent_size=2, **QUIET),
        "gan": lambda: GANArgs(model="mlp", latent_size=4, hidden_size=16, batch_size=64, epochs=1, sample_count=4, **QUIET),
        "pixelcnn": lambda: ARArgs(model="pixelcnn", channels=4, layers=1, batch_size=64, epochs=1, sample_count=0, **QUIET),
        "classifier": lambda: ClassifierArgs(batch_size=64, epochs=1, **QUIET),
    }[kind]()
    return dataclasses.replace(made, **overrides)


@pytest.mark.parametrize("kind, network", [
    ("autoencoder", "autoencoder"), ("vae", "vae"), ("gan", "(discriminator|generator)"), ("pixelcnn", "pixelcnn"), ("classifier", "classifier"),
])
def test_every_trainer_stops_at_the_first_non_finite_loss_naming_step_and_network(digits, kind, network):
    args = _args(kind, lr=1e30) if kind != "gan" else _args(kind, lr=1e30, discriminator_lr=1e30)
    scale = {"autoencoder": "standard", "vae": "standard", "gan": "unit"}.get(kind, "unit")
    trainset = data.mnist(train=True, limit=256, scale=scale)
    trainer = trainer_for(args, trainset=trainset, **({"holdout": digits.images[:10]} if kind in ("autoencoder", "vae") else {}))
    with pytest.raises(DivergenceError, match=rf"diverged at step \d+: the {network}'s loss is (nan|inf)"):
        trainer.train()
    assert trainer.step < 4  # it stopped at once, not after an epoch of NaN


def test_an_empty_data_set_is_refused(digits):
    with pytest.raises(ValueError, match="training set is empty"):
        trainer_for(_args("pixelcnn"), trainset=data.ImageTensors(digits.images[:0], digits.labels[:0]))


def test_fewer_images_than_one_batch_is_refused_where_incomplete_batches_are_dropped(digits):
    with pytest.raises(ValueError, match="fewer than one batch of 64"):
        trainer_for(_args("gan"), trainset=digits.subset(40))


def test_zero_steps_is_an_error_not_an_untrained_model(digits):
    trainer = trainer_for(_args("pixelcnn", epochs=0), trainset=digits)
    with pytest.raises(ValueError, match="zero steps"):
        trainer.train()
