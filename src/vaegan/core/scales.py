"""Pixel scales: the one place that says how a tensor of numbers becomes pixels in [0,
   1].

Data is loaded in one of three *scales*:

* ``unit``: [0, 1], what a sigmoid outputs and what the judge and the plots take;
* ``symmetric``: [-1, 1], the range of a tanh (the DCGANs and the face models);
* ``standard``: zero mean and unit variance over MNIST (the ARENA autoencoders).

A model's output has one of those scales or is ``logits`` (a Bernoulli decoder: the
sigmoid of its output is the pixel). :func:`to_unit` turns any of the four into pixels,
and every model carries its own ``output_scale`` (see
:class:`vaegan.core.model.BookModel`), so no caller needs to know how a model was
trained to look at what it makes.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

__all__ = [
    "SCALES",
    "OUTPUT_SCALES",
    "MNIST_MEAN",
    "MNIST_STD",
    "scale_images",
    "to_unit",
    "from_unit",
    "pixel_units",
    "add_pixel_noise",
    "binarize",
    "data_scale",
]

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

Scale = Literal["unit", "symmetric", "standard"]
SCALES = ("unit", "symmetric", "standard")
#: What a model's output can be: a data scale, or the logits of Bernoulli pixels.
OUTPUT_SCALES = SCALES + ("logits",)


def data_scale(output_scale: str) -> str:
    """The scale of the images a model with ``output_scale`` reads and reproduces
    (a Bernoulli decoder's logits model images in [0, 1])."""
    if output_scale not in OUTPUT_SCALES:
        raise ValueError(
            f"unknown output scale {output_scale!r}; use one of "
            f"{', '.join(map(repr, OUTPUT_SCALES))}"
        )
    return "unit" if output_scale == "logits" else output_scale


def scale_images(images_uint8: Tensor, scale: Scale) -> Tensor:
    """uint8 pixels -> float32: ``unit`` [0, 1], ``symmetric`` [-1, 1] (GANs' tanh
    output), ``standard`` zero mean and unit variance over MNIST (the ARENA
    autoencoders)."""
    images = images_uint8.float().div_(255.0)
    if scale == "unit":
        return images
    if scale == "symmetric":
        return images.mul_(2.0).sub_(1.0)
    if scale == "standard":
        return images.sub_(MNIST_MEAN).div_(MNIST_STD)
    raise ValueError(
        f"unknown scale {scale!r}; use one of {', '.join(map(repr, SCALES))}"
    )


def to_unit(images: Tensor, scale: str) -> Tensor:
    """The inverse of :func:`scale_images`: back to pixels in [0, 1] (clamped, since a
    decoder's output can overshoot), ready to show or to classify. ``logits`` (a
    Bernoulli decoder's output) go through a sigmoid."""
    if scale == "logits":
        return torch.sigmoid(images)
    if scale == "symmetric":
        images = (images + 1.0) / 2.0
    elif scale == "standard":
        images = images * MNIST_STD + MNIST_MEAN
    elif scale != "unit":
        raise ValueError(
            f"unknown scale {scale!r}; use one of {', '.join(map(repr, SCALES))}"
        )
    return images.clamp(0.0, 1.0)


def from_unit(pixels: Tensor, scale: str) -> Tensor:
    """Pixels in [0, 1] in ``scale``, as :func:`scale_images` would give them (for an
    image that was never uint8: a drawing, say); the inverse of :func:`to_unit` on [0,
    1]."""
    if scale == "symmetric":
        return pixels * 2.0 - 1.0
    if scale == "standard":
        return (pixels - MNIST_MEAN) / MNIST_STD
    if scale != "unit":
        raise ValueError(
            f"unknown scale {scale!r}; use one of {', '.join(map(repr, SCALES))}"
        )
    return pixels


def pixel_units(scale: Scale) -> float:
    """How many units of ``scale`` one unit of [0, 1] pixel intensity spans
    (``standard``: 1 / 0.3081), to state noise levels in pixels whatever the scale."""
    units = {"unit": 1.0, "symmetric": 2.0, "standard": 1.0 / MNIST_STD}
    if scale not in units:
        raise ValueError(
            f"unknown scale {scale!r}; use one of {', '.join(map(repr, SCALES))}"
        )
    return units[scale]


def add_pixel_noise(
    images: Tensor, noise_std: float, scale: Scale, generator: torch.Generator
) -> Tensor:
    """``images`` plus Gaussian noise whose standard deviation is ``noise_std`` in [0,
    1] pixel units, whatever ``scale`` the images are in (the denoising autoencoder's
    input).
    """
    noise = torch.randn(images.shape, generator=generator, device=images.device)
    return images + noise * (noise_std * pixel_units(scale))


def binarize(images: Tensor, generator: torch.Generator) -> Tensor:
    """Each pixel becomes 1 with probability equal to its intensity (pixels in [0, 1]).

    Called on every batch, this is *dynamic* binarisation: each pass over the data
    sees a fresh draw, so the model never fits one particular set of black-and-white
    digits. Called once with a fixed seed, it gives a *static* test set (see
    :func:`binarized_mnist`)."""
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"binarize needs pixels in [0, 1], got values in [{images.min():.3g}, "
            f"{images.max():.3g}]; "
            "load MNIST with scale='unit' (or convert with scales.to_unit)"
        )
    return torch.bernoulli(images, generator=generator)
