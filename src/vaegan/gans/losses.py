"""The GAN chapters' losses, written as binary cross-entropy on logits.

With ``D(x) = sigmoid(logit(x))`` the discriminator maximises
``E log D(x) + E log(1 - D(G(z)))``, that is, minimises

    BCE(logit(x), 1) + BCE(logit(G(z)), 0).

The generator's *minimax* loss is ``E log(1 - D(G(z)))`` (the same game, minimised),
whose gradient vanishes when the discriminator confidently rejects the fakes; the
*non-saturating* loss ``BCE(logit(G(z)), 1) = -E log D(G(z))`` has the same fixed
point and a strong gradient exactly there.

The Wasserstein critic instead outputs an unbounded score; WGAN-GP adds
``weight * E (|grad_x critic(x_hat)| - 1)^2`` at random points ``x_hat`` between real
and fake samples (Gulrajani et al., 2017).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "discriminator_loss",
    "generator_loss",
    "critic_loss",
    "critic_generator_loss",
    "gradient_penalty",
    "GENERATOR_LOSSES",
]

GENERATOR_LOSSES = ("non_saturating", "minimax")


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """``BCE(real, 1) + BCE(fake, 0)``, each averaged over its batch."""
    return F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def generator_loss(fake_logits: Tensor, kind: str = "non_saturating") -> Tensor:
    """``non_saturating``: ``-E log D(G(z))``; ``minimax``: ``E log(1 - D(G(z)))``.

    ``log(1 - sigmoid(l)) = -softplus(l)`` and ``log sigmoid(l) = -softplus(-l)``,
    so both are exact for any logit."""
    if kind == "non_saturating":
        return F.softplus(-fake_logits).mean()
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    raise ValueError(
        f"unknown generator loss {kind!r}; use one of {', '.join(GENERATOR_LOSSES)}"
    )


def critic_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """The Wasserstein critic's loss: ``E critic(fake) - E critic(real)`` (it maximises
    the difference)."""
    return fake_scores.mean() - real_scores.mean()


def critic_generator_loss(fake_scores: Tensor) -> Tensor:
    """The generator against a Wasserstein critic: ``-E critic(G(z))``."""
    return -fake_scores.mean()


def gradient_penalty(
    critic: Callable[[Tensor], Tensor],
    real: Tensor,
    fake: Tensor,
    generator: torch.Generator | None = None,
) -> Tensor:
    """``E (|grad_x critic(x_hat)|_2 - 1)^2`` with
    ``x_hat = t * real + (1 - t) * fake``, ``t ~ U(0, 1)`` per sample. ``create_graph``
    keeps the penalty differentiable for the critic's update.
    """
    if real.shape != fake.shape:
        raise ValueError(
            f"real {tuple(real.shape)} and fake {tuple(fake.shape)} batches must have "
            "the same shape"
        )
    t = torch.rand(real.shape[0], 1, 1, 1, generator=generator).to(real.device)
    between = (t * real + (1 - t) * fake.detach()).requires_grad_(True)
    (gradients,) = torch.autograd.grad(
        critic(between).sum(), between, create_graph=True
    )
    norms = gradients.flatten(1).norm(dim=1)
    return ((norms - 1) ** 2).mean()
