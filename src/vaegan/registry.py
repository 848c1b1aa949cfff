"""Class name -> model, and run arguments -> trainer: the only module that imports every
family.

A checkpoint names its model class (not a module), so the package's layout can change
without retraining; this table turns the name back into a class. The same goes for a
run's argument dataclass: :func:`trainer_for` finds the trainer that takes it, which is
how the command line and :func:`vaegan.pages.reference.load_or_train` treat every family
alike. It also loads the committed models: :func:`load_pretrained` by name, and
:func:`load_reference` for the reference models of :data:`vaegan.recipes.REFERENCES`,
refused unless trained by exactly their recipe.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from vaegan.autoencoders.models import MLPVAE, VAE, Autoencoder
from vaegan.autoencoders.train import AutoencoderArgs, AutoencoderTrainer, VAEArgs, VAETrainer
from vaegan.autoregressive.models import PixelCNN, PixelLSTM
from vaegan.autoregressive.train import ARArgs, ARTrainer
from vaegan.core import checkpoints
from vaegan.core.checkpoints import PRETRAINED, CheckpointError
from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from vaegan.gans.train import GANArgs, GANTrainer
from vaegan.judge.classifier import MNISTClassifier
from vaegan.judge.training import ClassifierArgs, ClassifierTrainer
from vaegan.recipes import REFERENCES, reference_args

__all__ = ["MODEL_CLASSES", "TRAINERS", "build_model", "trainer_class", "trainer_for", "load_checkpoint",
           "load_pretrained", "load_reference", "committed_reference_args"]

#: Every model class a checkpoint may name, by class name.
MODEL_CLASSES = {
    cls.__name__: cls
    for cls in (
        Autoencoder, VAE, MLPVAE, MNISTClassifier, MLPGenerator, MLPDiscriminator, DCGANGenerator, DCGANDiscriminator,
        PixelLSTM, PixelCNN,
    )
}

#: Argument dataclass -> its trainer; a subclass of arguments comes before its base.
TRAINERS = {
    VAEArgs: VAETrainer, AutoencoderArgs: AutoencoderTrainer, GANArgs: GANTrainer, ARArgs: ARTrainer,
    ClassifierArgs: ClassifierTrainer,
}


def build_model(class_name: str, **config) -> nn.Module:
    """Build a model from its class name and the ``config`` it recorded."""
    if class_name not in MODEL_CLASSES:
        raise ValueError(f"unknown model class {class_name!r}; known: {', '.join(sorted(MODEL_CLASSES))}")
    return MODEL_CLASSES[class_name](**config)


def trainer_class(args) -> type:
    """The trainer class for a run's arguments (``VAEArgs`` -> ``VAETrainer``,
    ``GANArgs`` -> ``GANTrainer``, ...)."""
    for args_class, trainer in TRAINERS.items():
        if isinstance(args, args_class):
            return trainer
    raise TypeError(f"no trainer takes {type(args).__name__}; known: {', '.join(cls.__name__ for cls in TRAINERS)}")


def trainer_for(args, **kwargs):
    """The trainer for a run's arguments, built."""
    return trainer_class(args)(args, **kwargs)


def load_checkpoint(
    path: str | os.PathLike, model: nn.Module | None = None, map_location: str | torch.device = "cpu"
) -> tuple[nn.Module, dict]:
    """Load a checkpoint; return ``(model, metadata)``. Without ``model`` it is rebuilt
    from the metadata; with one, the checkpoint must be of the same class and arguments
    (see :func:`vaegan.core.checkpoints.load_checkpoint`)."""
    return checkpoints.load_checkpoint(path, model if model is not None else build_model, map_location)


def load_pretrained(
    name: str, map_location: str | torch.device = "cpu", expected_args=None, folder: Path = PRETRAINED
) -> tuple[nn.Module, dict]:
    """A checkpoint shipped with the package (or in ``folder``), by run name
    (``classifier``, ``celeba_vae``).

    With ``expected_args`` (a run's argument dataclass), the checkpoint must have been
    trained with exactly those arguments; otherwise a :class:`CheckpointError` lists the
    fields that differ."""
    available = checkpoints.available_checkpoints(folder)
    if name not in available:
        raise CheckpointError(
            f"no pretrained checkpoint {name!r} in {folder}; available: {', '.join(available) or 'none'}. "
            f"Train it with `python -m vaegan train {name} --out {folder}`."
        )
    model, record = load_checkpoint(folder / name, map_location=map_location)
    if expected_args is not None:
        checkpoints.check_arguments(name, record, expected_args)
    return model, record


def committed_reference_args(name: str, **extra):
    """The arguments of the reference ``name`` (:data:`vaegan.recipes.REFERENCES`),
    after checking that its checkpoint is committed: a missing one is refused with the
    command that makes it."""
    expected = reference_args(name, **extra)  # an unknown name is refused here, with the list of references
    if name not in checkpoints.available_checkpoints(PRETRAINED):
        raise CheckpointError(
            f"the reference {name!r} is not in {PRETRAINED} (a checkout without its weights?); "
            f"train it with `{REFERENCES[name].command(name)}` (an hour or more on a CPU, minutes on a GPU)"
        )
    return expected


def load_reference(name: str, map_location: str | torch.device = "cpu") -> tuple[nn.Module, dict]:
    """A committed reference model (:data:`vaegan.recipes.REFERENCES`), checked to have
    been trained with exactly its reference arguments; one trained otherwise (say,
    before its recipe changed) is refused with the command that retrains it."""
    expected = committed_reference_args(name)
    model, record = load_pretrained(name, map_location)
    checkpoints.check_arguments(name, record, expected, fix=(
        f"Its recipe (vaegan.recipes.REFERENCES) has changed since it was trained; retrain it with "
        f"`{REFERENCES[name].command(name)} --overwrite`."))
    return model, record
