"""What every model of the book shares.

* :class:`BookModel`: it records the arguments it was built with (``config``, plain JSON
  values, so a checkpoint can rebuild it) and shows them in its ``repr``; it refuses
  inputs of the wrong shape with a message naming the right one; it knows the scale of
  its output (``output_scale``), so :meth:`BookModel.to_pixels` turns what it makes into
  [0, 1] pixels.
* :class:`GenerativeModel`: a model that draws images, with one way to do it:
  ``sample_images(count, seed)`` returns ``count`` images in [0, 1], the same ones for
  the same seed.
* :class:`LatentVariableModel`: a generative model that decodes codes drawn from N(0, I)
  (the autoencoders, the VAEs and the GAN generators); it only says how a code is
  decoded.
* :func:`mode`: the one way package code switches a model between training and
  evaluation, and it always switches back.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch import Tensor, nn

from vaegan.core.scales import to_unit

__all__ = ["BookModel", "GenerativeModel", "LatentVariableModel", "mode"]


@contextlib.contextmanager
def mode(*models: nn.Module, train: bool = False) -> Iterator[None]:
    """Put ``models`` in evaluation mode (or training mode with ``train=True``) inside
    the block, and give each back the mode it had. Batch norm is the reason it matters:
    in training mode it normalises with the batch's own statistics, so a generator's
    image would depend on the other images drawn with it."""
    before = [model.training for model in models]
    for model in models:
        model.train(train)
    try:
        yield
    finally:
        for model, was_training in zip(models, before):
            model.train(was_training)


class BookModel(nn.Module):
    """Base class: subclasses set ``config`` and, where they apply, ``image_shape``,
    ``latent_size`` and ``output_scale`` (``unit``, ``symmetric``, ``standard`` or
    ``logits``, see :mod:`vaegan.core.scales`)."""

    config: dict
    image_shape: tuple
    latent_size: int
    output_scale: str = "unit"

    def check_images(self, x: Tensor) -> None:
        if x.ndim != 4 or tuple(x.shape[1:]) != tuple(self.image_shape):
            raise ValueError(
                f"{type(self).__name__} takes images of shape (batch, {', '.join(map(str, self.image_shape))}), "
                f"got {tuple(x.shape)}"
                + (" (add a batch dimension with x.unsqueeze(0))" if tuple(x.shape) == tuple(self.image_shape) else "")
            )

    def check_latents(self, z: Tensor) -> None:
        if z.ndim != 2 or z.shape[1] != self.latent_size:
            raise ValueError(f"{type(self).__name__} decodes latents of shape (batch, {self.latent_size}), got {tuple(z.shape)}")

    def to_pixels(self, output: Tensor) -> Tensor:
        """This model's output as pixels in [0, 1] (logits through a sigmoid, other
        scales undone)."""
        return to_unit(output, self.output_scale)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def extra_repr(self) -> str:
        return ", ".join(f"{key}={value}" for key, value in self.config.items())


class GenerativeModel(BookModel):
    """A model that draws images: every family answers ``sample_images`` the same
    way."""

    def sample_images(self, count: int, seed: int = 0) -> Tensor:
        """``count`` images ``(count, c, h, w)`` in [0, 1], drawn in evaluation mode;
        the same ``seed`` gives the same images."""
        raise NotImplementedError


class LatentVariableModel(GenerativeModel):
    """Images decoded from codes ``z ~ N(0, I)``: subclasses give ``decode_latents``,
    the raw output for a batch of codes (a decoder's, or a generator's forward pass)."""

    #: codes decoded at once by :meth:`decode_images` (it only bounds memory)
    decode_batch_size: int = 1000

    def decode_latents(self, z: Tensor) -> Tensor:
        raise NotImplementedError

    def sample_latents(self, count: int, generator: torch.Generator | None = None) -> Tensor:
        """``count`` draws from N(0, I) on the model's device:
        ``(count, latent_size)``."""
        return torch.randn(count, self.latent_size, generator=generator).to(self.device)

    @torch.no_grad()
    def decode_images(self, z: Tensor) -> Tensor:
        """``(n, latent) -> (n, c, h, w)`` pixels in [0, 1] on the CPU, decoded in
        evaluation mode."""
        self.check_latents(z)
        with mode(self):
            outputs = [self.decode_latents(chunk.to(self.device)).cpu() for chunk in z.split(self.decode_batch_size)]
        return self.to_pixels(torch.cat(outputs))

    def sample_images(self, count: int, seed: int = 0) -> Tensor:
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        return self.decode_images(self.sample_latents(count, torch.Generator().manual_seed(seed)))
