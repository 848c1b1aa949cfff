"""Spectral normalisation's estimate, written out: the largest singular value of a
weight by power iteration.

Miyato et al. (2018) divide every weight of the discriminator by its largest singular
value ``sigma(W)``, so that each layer is at most 1-Lipschitz. ``sigma`` is estimated by
power iteration: from a start vector ``v``, alternately ``u = normalise(W v)`` and
``v = normalise(W^T u)``; then ``sigma = u^T W v``. PyTorch's
:func:`torch.nn.utils.parametrizations.spectral_norm` (which
:class:`~vaegan.gans.models.DCGANDiscriminator` uses with ``norm="spectral"``) keeps
``u`` and ``v`` between training steps and runs one iteration per forward pass.
:func:`largest_singular_value` is the same iteration from any start, so a page can run
it, compare it with PyTorch's, and watch it converge.

A convolution kernel ``(out, in, kh, kw)`` is first read as the matrix
``(out, in * kh * kw)`` (:func:`weight_matrix`), as PyTorch does.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

__all__ = ["weight_matrix", "largest_singular_value"]


def weight_matrix(weight: Tensor, dim: int = 0) -> Tensor:
    """``weight`` as the matrix spectral normalisation bounds: dimension ``dim`` to the
    front and the rest flattened, so ``(out, in, kh, kw) -> (out, in * kh * kw)``.
    PyTorch's ``spectral_norm`` uses ``dim=0``, except ``dim=1`` for transposed
    convolutions (whose kernels are ``(in, out, kh, kw)``).
    """
    if weight.ndim < 2:
        raise ValueError(
            "a weight matrix needs at least 2 dimensions, got shape "
            f"{tuple(weight.shape)}"
        )
    return weight.movedim(dim, 0).flatten(1)


def largest_singular_value(
    weight: Tensor, iterations: int, v: Tensor, dim: int = 0, eps: float = 1e-12
) -> tuple[Tensor, Tensor, Tensor]:
    """``(sigma (), u (out,), v (rest,))`` after ``iterations`` power iterations on
    ``W = weight_matrix(weight, dim)`` (shape ``(out, rest)``), starting from
    ``v (rest,)``.

    Each iteration sets ``u = normalise(W v)``, then ``v = normalise(W^T u)``; the
    estimate is ``sigma = u^T W v``, which never exceeds the true largest singular value
    and approaches it as the iterations grow. With ``v`` a parametrisation's stored
    ``_v`` and ``iterations=1``, this is exactly the ``sigma`` that PyTorch's
    ``spectral_norm`` divides by in a training-mode forward pass (``eps`` is its guard
    against dividing by zero)."""
    matrix = weight_matrix(weight, dim)
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    if v.shape != (matrix.shape[1],):
        raise ValueError(
            f"the start vector v must have shape ({matrix.shape[1]},) for a "
            f"{tuple(matrix.shape)} matrix, got {tuple(v.shape)}"
        )
    for _ in range(iterations):
        u = F.normalize(matrix @ v, dim=0, eps=eps)
        v = F.normalize(matrix.T @ u, dim=0, eps=eps)
    sigma = u @ (matrix @ v)
    return sigma, u, v
