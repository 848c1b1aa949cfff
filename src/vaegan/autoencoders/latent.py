"""Working in latent space: encode, decode, grids and straight-line walks.

These take any autoencoder of :mod:`vaegan.autoencoders.models` (for a VAE the *mean*
code is used, so every function here is deterministic) and run in batches, without
gradients, in evaluation mode. Decoded images are in the model's output scale;
``model.to_pixels`` turns them into [0, 1] pixels, and
``model.sample_images(count, seed)`` draws from the prior.

Two functions look at a VAE's code space as the prior sees it: ``sample_codes`` draws
one code from each image's posterior (seeded), and ``marginal_distance`` says how far
each latent dimension of such codes is from N(0, 1).
"""

from __future__ import annotations

from typing import Sequence

import torch
from einops import rearrange, repeat
from torch import Tensor, nn

from vaegan.autoencoders.models import is_variational
from vaegan.core.model import mode

__all__ = [
    "principal_plane",
    "encode",
    "decode",
    "reconstruct",
    "latent_grid",
    "interpolate",
    "sample_codes",
    "marginal_distance",
]


@torch.no_grad()
def encode(model: nn.Module, images: Tensor, batch_size: int = 1000) -> Tensor:
    """``(n, c, h, w) -> (n, latent)``: the code, or a VAE's posterior mean."""
    model.check_images(images)
    with mode(model):
        return torch.cat(
            [
                model.encode_mean(chunk.to(model.device)).cpu()
                for chunk in images.split(batch_size)
            ]
        )


@torch.no_grad()
def decode(model: nn.Module, codes: Tensor, batch_size: int = 1000) -> Tensor:
    """``(n, latent) -> (n, c, h, w)``, in the scale the model was trained on."""
    model.check_latents(codes)
    with mode(model):
        return torch.cat(
            [
                model.decoder(chunk.to(model.device)).cpu()
                for chunk in codes.split(batch_size)
            ]
        )


def reconstruct(model: nn.Module, images: Tensor, batch_size: int = 1000) -> Tensor:
    """Encode then decode (a VAE's mean code, no sampling)."""
    return decode(model, encode(model, images, batch_size), batch_size)


def latent_grid(
    model: nn.Module,
    values: Sequence[float],
    dims: tuple[int, int] = (0, 1),
    base: Tensor | None = None,
) -> Tensor:
    """Decode a grid over two latent dimensions, the others fixed at ``base`` (default
    0): ``(rows, columns, c, h, w)``, rows along ``dims[0]`` and columns along
    ``dims[1]``.

    ``dims`` may also be two *directions*: a ``(2, latent)`` tensor (principal
    components, say).
    """
    values = torch.as_tensor(values, dtype=torch.float32)
    base = torch.zeros(model.latent_size) if base is None else base.float()
    if isinstance(dims, Tensor):
        directions = dims.float()
    else:
        if (
            len(dims) != 2
            or not all(0 <= d < model.latent_size for d in dims)
            or dims[0] == dims[1]
        ):
            raise ValueError(
                f"dims must be two different latent indices below {model.latent_size}, got {dims}"
            )
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
    images = rearrange(
        decode(model, rearrange(codes, "n s latent -> (n s) latent")),
        "(n s) c h w -> n s c h w",
        s=steps,
    )
    return images[0] if single else images


@torch.no_grad()
def sample_codes(
    model: nn.Module, images: Tensor, seed: int = 0, batch_size: int = 1000
) -> Tensor:
    """``(n, c, h, w) -> (n, latent)``: for a VAE, one code drawn from each image's
    ``q(z | x)``, ``z = mu + sigma * eps`` with ``eps`` from a generator seeded with
    ``seed``.

    Together the draws are a sample of the aggregate posterior (the mixture of every
    image's ``q(z | x)``), the distribution of codes that the decoder was trained on,
    and the one that decoding draws from N(0, I) assumes."""
    if not is_variational(model):
        raise ValueError(
            f"sample_codes needs a VAE (an encoder of mu and log sigma); {type(model).__name__} gives one code per image"
        )
    model.check_images(images)
    # all the noise in one draw, so that the codes do not depend on batch_size
    eps = torch.randn(
        len(images), model.latent_size, generator=torch.Generator().manual_seed(seed)
    )
    codes = []
    with mode(model):
        for chunk, noise in zip(images.split(batch_size), eps.split(batch_size)):
            mu, log_sigma = (t.cpu() for t in model.encoder(chunk.to(model.device)))
            codes.append(mu + log_sigma.exp() * noise.to(mu.dtype))
    return torch.cat(codes)


def marginal_distance(codes: Tensor) -> Tensor:
    """``(n, latent) -> (latent,)``: for each latent dimension, the Kolmogorov-Smirnov
    distance between the empirical distribution of its ``n`` values and N(0, 1), the
    largest gap between the two cumulative distribution functions (0: the same; near 1:
    nothing alike).

    The empirical CDF jumps from ``(i - 1) / n`` to ``i / n`` at the ``i``-th smallest
    value, so the largest gap is at one side of a jump:
    ``max_i max(i / n - Phi(x_i), Phi(x_i) - (i - 1) / n)``.
    """
    if codes.ndim != 2 or codes.shape[0] == 0:
        raise ValueError(
            f"codes must be (n, latent) with n >= 1, got shape {tuple(codes.shape)}"
        )
    n = codes.shape[0]
    cdf = torch.special.ndtr(
        codes.sort(dim=0).values
    )  # Phi at each dimension's sorted values
    above = torch.arange(1, n + 1, dtype=cdf.dtype, device=cdf.device).unsqueeze(1) / n
    return torch.maximum(above - cdf, cdf - (above - 1 / n)).amax(dim=0)


def principal_plane(codes: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The plane of ``codes`` ``(n, d)`` along their two principal components.

    Returns ``(centre, directions, projected, explained)``: the mean code ``(d,)``; the
    two components ``(2, d)``, each one standard deviation of the codes long, so
    ``centre + u * directions[0] + v * directions[1]`` is ``u`` and ``v`` standard
    deviations out; each code's place in that plane, in standard deviations ``(n, 2)``;
    and the share of the codes' variance along every component ``(d,)``."""
    if codes.ndim != 2 or codes.shape[0] < 3 or codes.shape[1] < 2:
        raise ValueError(f"principal_plane needs codes (n >= 3, d >= 2), got {tuple(codes.shape)}")
    centre = codes.mean(0)
    _, singular_values, right = torch.linalg.svd(codes - centre, full_matrices=False)
    spread = singular_values[:2] / (len(codes) - 1) ** 0.5  # the standard deviation along each
    directions = right[:2] * spread.unsqueeze(1)
    projected = (codes - centre) @ right[:2].T / spread
    explained = singular_values.square() / singular_values.square().sum()
    return centre, directions, projected, explained
