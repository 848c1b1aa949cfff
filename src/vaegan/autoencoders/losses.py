"""The losses the autoencoder chapters train with, one function each."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import reduce
from torch import Tensor

__all__ = ["gaussian_kl", "reconstruction_loss", "hoyer_sparsity", "LIKELIHOODS"]

#: ``gaussian``: mean squared error (a Gaussian decoder with a fixed variance);
#: ``bernoulli``: binary cross-entropy on the decoder's logits, pixels in [0, 1].
LIKELIHOODS = ("gaussian", "bernoulli")


def gaussian_kl(mu: Tensor, log_sigma: Tensor) -> Tensor:
    """``KL(N(mu, sigma^2) || N(0, 1))`` for every element, same shape as ``mu``:
    ``(mu^2 + sigma^2 - 1) / 2 - log sigma`` (derived in the VAE chapter)."""
    return 0.5 * (mu**2 + torch.exp(2 * log_sigma) - 1) - log_sigma


def reconstruction_loss(
    decoded: Tensor, target: Tensor, likelihood: str = "gaussian"
) -> Tensor:
    """Mean over batch and pixels: squared error (``gaussian``), or binary cross-entropy
    with ``decoded`` read as logits (``bernoulli``)."""
    if decoded.shape != target.shape:
        raise ValueError(
            f"decoded images {tuple(decoded.shape)} and targets {tuple(target.shape)} "
            "differ in shape"
        )
    if likelihood == "gaussian":
        return F.mse_loss(decoded, target)
    if likelihood == "bernoulli":
        return F.binary_cross_entropy_with_logits(decoded, target)
    raise ValueError(
        f"unknown likelihood {likelihood!r}; use one of {', '.join(LIKELIHOODS)}"
    )


def hoyer_sparsity(codes: Tensor) -> Tensor:
    """Sparsity of each code ``(b, n) -> (b,)`` in [0, 1], whatever its scale:
    ``(sqrt(n) - |z|_1 / |z|_2) / (sqrt(n) - 1)``; 0 when every entry has the same
    magnitude, 1 when a single entry is non-zero (Hoyer, 2004)."""
    n = codes.shape[1]
    if n < 2:
        raise ValueError("sparsity needs codes with at least two entries")
    l1 = reduce(codes.abs(), "b n -> b", "sum")
    l2 = reduce(codes**2, "b n -> b", "sum").sqrt().clamp_min(1e-12)
    return (n**0.5 - l1 / l2) / (n**0.5 - 1)
