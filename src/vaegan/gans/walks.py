"""Walks through a GAN's code space: the great circle between two codes, decoded.

A generator's codes are draws from N(0, I) in many dimensions, where nearly all the
probability lies near a sphere of radius sqrt(d); the walk stays on it so that every
point along the way looks like a code the generator was trained on.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["slerp", "slerp_at", "walk", "random_plane"]


def slerp(start: Tensor, end: Tensor, steps: int) -> Tensor:
    """``(d,), (d,) -> (steps, d)``: spherical interpolation from ``start`` to ``end``.

    A straight line between two N(0, I) draws in many dimensions passes through points
    of smaller norm than the prior ever produces (the midpoint's norm is about 0.71 of
    the ends'); the great-circle path keeps the norm, so every point looks like a
    typical draw."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    if start.shape != end.shape or start.dim() != 1:
        raise ValueError(
            f"start and end must be two vectors of one shape, got {tuple(start.shape)} "
            f"and {tuple(end.shape)}"
        )
    return slerp_at(start, end, torch.linspace(0, 1, steps, dtype=start.dtype))


def slerp_at(start: Tensor, end: Tensor, t: Tensor | float) -> Tensor:
    """``(d,), (d,), (n,) -> (n, d)`` (or ``(d,)`` for one number ``t``): the points at
    fractions ``t`` of the way along the great circle from ``start`` to ``end``."""
    single = not isinstance(t, Tensor)
    t = torch.as_tensor(t, dtype=start.dtype).reshape(-1, 1)
    cosine = (start @ end / (start.norm() * end.norm())).clamp(-1, 1)
    angle = torch.arccos(cosine)
    if angle < 1e-4:  # (almost) one direction: the straight line is the great circle
        points = (1 - t) * start + t * end
    else:
        before, after = torch.sin((1 - t) * angle), torch.sin(t * angle)
        points = (before * start + after * end) / torch.sin(angle)
    return points[0] if single else points


def walk(generator: nn.Module, start: Tensor, end: Tensor, steps: int = 9) -> Tensor:
    """The images along the spherical path between latents ``start`` and ``end``:
    ``(steps, c, h, w)``."""
    return generator.decode_images(slerp(start, end, steps))


def random_plane(generator: nn.Module, seed: int) -> tuple[Tensor, Tensor]:
    """``(base, directions)``: a code ``(d,)`` from the generator's prior, and two
    random orthonormal directions ``(2, d)`` through it, both drawn with ``seed``:
    the plane ``base + u * directions[0] + v * directions[1]`` of the code space."""
    draws = torch.Generator().manual_seed(seed)
    base = generator.sample_latents(1, draws)[0]
    # QR of two Gaussian vectors: Q's columns are orthonormal, and in random directions
    gaussians = torch.randn(generator.latent_size, 2, generator=draws)
    directions = torch.linalg.qr(gaussians)[0].T
    return base, directions
