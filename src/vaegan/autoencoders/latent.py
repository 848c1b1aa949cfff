"""Working in latent space: encode, decode, grids and straight-line walks.

These take any autoencoder of :mod:`vaegan.autoencoders.models` (for a VAE the *mean* code is
used, so every function here is deterministic) and run in batches, without gradients, in
evaluation mode. Decoded images are in the model's output scale; ``model.to_pixels`` turns them
into [0, 1] pixels, and ``model.sample_images(count, seed)`` draws from the prior.
"""

from __future__ import annotations

from typing import Sequence

import torch
from einops import rearrange, repeat
from torch import Tensor, nn

from vaegan.core.model import mode

__all__ = ["encode", "decode", "reconstruct", "latent_grid", "interpolate"]


@torch.no_grad()
def encode(model: nn.Module, images: Tensor, batch_size: int = 1000) -> Tensor:
    """``(n, c, h, w) -> (n, latent)``: the code, or a VAE's posterior mean."""
    model.check_images(images)
    with mode(model):
        return torch.cat([model.encode_mean(chunk.to(model.device)).cpu() for chunk in images.split(batch_size)])


@torch.no_grad()
def decode(model: nn.Module, codes: Tensor, batch_size: int = 1000) -> Tensor:
    """``(n, latent) -> (n, c, h, w)``, in the scale the model was trained on."""
    model.check_latents(codes)
    with mode(model):
        return torch.cat([model.decoder(chunk.to(model.device)).cpu() for chunk in codes.split(batch_size)])


def reconstruct(model: nn.Module, images: Tensor, batch_size: int = 1000) -> Tensor:
    """Encode then decode (a VAE's mean code, no sampling)."""
    return decode(model, encode(model, images, batch_size), batch_size)


def latent_grid(
    model: nn.Module, values: Sequence[float], dims: tuple[int, int] = (0, 1), base: Tensor | None = None
) -> Tensor:
    """Decode a grid over two latent dimensions, the others fixed at ``base`` (default 0):
    ``(rows, columns, c, h, w)``, rows along ``dims[0]`` and columns along ``dims[1]``.

    ``dims`` may also be two *directions*: a ``(2, latent)`` tensor (principal components, say)."""
    values = torch.as_tensor(values, dtype=torch.float32)
    base = torch.zeros(model.latent_size) if base is None else base.float()
    if isinstance(dims, Tensor):
        directions = dims.float()
    else:
        if len(dims) != 2 or not all(0 <= d < model.latent_size for d in dims) or dims[0] == dims[1]:
            raise ValueError(f"dims must be two different latent indices below {model.latent_size}, got {dims}")
        directions = torch.eye(model.latent_size)[list(dims)]
    row = repeat(values, "r -> r c 1", c=len(values)) * directions[0]
    column = repeat(values, "c -> r c 1", r=len(values)) * directions[1]
    codes = rearrange(base + row + column, "r c latent -> (r c) latent")
    return rearrange(decode(model, codes), "(r c) ch h w -> r c ch h w", r=len(values))


def interpolate(model: nn.Module, start: Tensor, end: Tensor, steps: int = 9) -> Tensor:
    """Decode the straight line between the codes of two images, from ``start`` (t = 0)
    to ``end`` (t = 1): ``(steps, c, h, w)`` for two images ``(c, h, w)``, or
    ``(n, steps, c, h, w)`` for two batches ``(n, c, h, w)`` (one line per pair)."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    single = start.ndim == 3
    starts, ends = (start.unsqueeze(0), end.unsqueeze(0)) if single else (start, end)
    codes_start, codes_end = encode(model, starts), encode(model, ends)
    t = torch.linspace(0, 1, steps).view(1, steps, 1)
    codes = (1 - t) * codes_start.unsqueeze(1) + t * codes_end.unsqueeze(1)
    images = rearrange(decode(model, rearrange(codes, "n s latent -> (n s) latent")), "(n s) c h w -> n s c h w", s=steps)
    return images[0] if single else images
