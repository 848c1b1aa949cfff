"""A number for face quality: the Frechet distance in a fixed face encoder's features.

Digits have a classifier to judge them; faces have no labels to train one on. So the
book measures faces in the features of a network it already has and never changes: the
committed face VAE of chapter 3, whose encoder maps a 64x64 face to the mean of q(z |
x), 64 numbers that hold its pose, lighting, colours and layout. A generator's samples
and real faces each become a cloud of such codes, and the distance between the two
clouds' Gaussians is the number. Like any Frechet distance on a finite sample it is
biased upwards, so it is read against a floor measured the same way: real faces against
other real faces, in sets of the same size.

The encoder was trained on the faces' training split, so the real set to compare with is
the test split, which no model of the book has seen.
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import Tensor

from vaegan.autoencoders.models import VAE
from vaegan.core.checkpoints import PRETRAINED, CheckpointError, load_checkpoint
from vaegan.core.model import mode
from vaegan.core.scales import from_unit
from vaegan.judge.metrics import checked_pixels, feature_statistics, gaussian_frechet_distance

__all__ = ["face_encoder", "face_features", "face_frechet_distance"]

FACE_SHAPE = (3, 64, 64)


def _build_vae(class_name: str, **config) -> VAE:
    if class_name != "VAE":
        raise CheckpointError(f"the face encoder must be a VAE checkpoint, but celeba_vae holds a {class_name}")
    return VAE(**config)


@lru_cache(maxsize=1)
def face_encoder() -> VAE:
    """The committed face VAE (``celeba_vae``), loaded once per process, frozen."""
    model, _ = load_checkpoint(PRETRAINED / "celeba_vae", _build_vae)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


@torch.no_grad()
def face_features(images: Tensor, batch_size: int = 500) -> Tensor:
    """``(n, 3, 64, 64)`` pixels in [0, 1] -> ``(n, 64)``: the face VAE's posterior
    means."""
    encoder = face_encoder()
    faces = from_unit(checked_pixels(images, FACE_SHAPE, minimum=2), encoder.output_scale)  # the scale it was trained on
    with mode(encoder):
        return torch.cat([encoder.encode_mean(faces[i : i + batch_size]) for i in range(0, len(faces), batch_size)])


def face_frechet_distance(images_a: Tensor, images_b: Tensor) -> float:
    """The Frechet distance between two sets of faces (pixels in [0, 1]) in the face
    VAE's codes."""
    return gaussian_frechet_distance(*feature_statistics(face_features(images_a)),
                                     *feature_statistics(face_features(images_b)))
