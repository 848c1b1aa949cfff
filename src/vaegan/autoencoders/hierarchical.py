"""A VAE with two stochastic layers, ``z2 -> z1 -> x``, and its ELBO.

The generative model runs top-down:

    p(z2) = N(0, I),    p(z1 | z2) = N(mu_p(z2), diag sigma_p(z2)^2),    p(x | z1) =
    Bernoulli(logits(z1)).

Inference runs top-down too (as in the ladder VAE and NVAE): one bottom-up pass turns
``x`` into features ``h(x)``; ``q(z2 | x)`` comes from ``h``, and ``q(z1 | x, z2)`` from
``h`` and the drawn ``z2``. With ``q(z1, z2 | x) = q(z2 | x) q(z1 | x, z2)`` the ELBO
splits into one term per layer, each a KL against that layer's own prior and each in
closed form given the drawn ``z2``:

    ELBO(x) = E_q[log p(x | z1)] - KL(q(z2 | x) || p(z2)) - E_q(z2|x)[KL(q(z1 | x, z2)
    || p(z1 | z2))].

A diffusion model is this structure with many layers: its "encoder" is fixed (each layer
adds a little Gaussian noise to the one below), its latents have the size of the image,
and its training objective is the same sum of one KL per layer plus a reconstruction
term.

:func:`train_on_elbo` and :func:`evaluate_elbo` train and score this model and the
one-layer :class:`~vaegan.autoencoders.models.MLPVAE` the same way, so the two can be
compared in nats.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import torch
import torch.nn.functional as F
from einops import rearrange
from einops.layers.torch import Rearrange
from torch import Tensor, nn

from vaegan.autoencoders.elbo import bernoulli_log_likelihood, elbo
from vaegan.autoencoders.models import MLPVAE
from vaegan.core.model import mode
from vaegan.core.scales import binarize

__all__ = [
    "diagonal_gaussian_kl",
    "layer_kls",
    "two_layer_elbo",
    "TwoLayerTerms",
    "HierarchicalVAE",
    "vae_elbo",
    "train_on_elbo",
    "evaluate_elbo",
]

Gaussian = tuple[Tensor, Tensor]  # (mu, log_sigma), each (b, d)


def diagonal_gaussian_kl(
    mu_q: Tensor, log_sigma_q: Tensor, mu_p: Tensor, log_sigma_p: Tensor
) -> Tensor:
    """``KL(N(mu_q, sigma_q^2) || N(mu_p, sigma_p^2))`` for every element, same shape as
    ``mu_q``:
    ``log(sigma_p / sigma_q) + (sigma_q^2 + (mu_q - mu_p)^2) / (2 sigma_p^2) - 1/2``.
    With ``mu_p = 0, sigma_p = 1`` it is :func:`vaegan.autoencoders.losses.gaussian_kl`.
    """
    variance_ratio = torch.exp(2 * (log_sigma_q - log_sigma_p))
    standardised_gap = (mu_q - mu_p) * torch.exp(-log_sigma_p)
    return 0.5 * (variance_ratio + standardised_gap**2 - 1) - (
        log_sigma_q - log_sigma_p
    )


def layer_kls(q_z2: Gaussian, q_z1: Gaussian, p_z1: Gaussian) -> tuple[Tensor, Tensor]:
    """Each layer's KL against its own prior, summed over that layer's dimensions,
    ``(b,)`` each: ``KL(q(z2 | x) || N(0, I))`` and ``KL(q(z1 | x, z2) || p(z1 | z2))``
    (at the drawn ``z2``).
    """
    mu_2, log_sigma_2 = q_z2
    kl_top = diagonal_gaussian_kl(
        mu_2, log_sigma_2, torch.zeros_like(mu_2), torch.zeros_like(log_sigma_2)
    ).sum(-1)
    kl_bottom = diagonal_gaussian_kl(*q_z1, *p_z1).sum(-1)
    return kl_top, kl_bottom


def two_layer_elbo(
    log_likelihood: Tensor, q_z2: Gaussian, q_z1: Gaussian, p_z1: Gaussian
) -> Tensor:
    """The two-layer ELBO of each image, ``(b,)``, in nats, from one draw
    ``z2 ~ q(z2 | x)``, ``z1 ~ q(z1 | x, z2)``:
    ``log p(x | z1) - KL(q(z2 | x) || p(z2)) - KL(q(z1 | x, z2) || p(z1 | z2))``.

    ``log_likelihood`` is ``log p(x | z1)`` ``(b,)``, summed over pixels; each Gaussian
    is ``(mu, log_sigma)``, ``(b, d2)`` for ``q_z2`` and ``(b, d1)`` for ``q_z1`` and
    ``p_z1``.
    """
    kl_top, kl_bottom = layer_kls(q_z2, q_z1, p_z1)
    return log_likelihood - kl_top - kl_bottom


class TwoLayerTerms(NamedTuple):
    """What one pass of :class:`HierarchicalVAE` gives for a batch: ``log p(x | z1)``
    ``(b,)`` and the three Gaussians ``(mu, log_sigma)`` at the drawn codes.
    ``two_layer_elbo(*terms)`` is the ELBO.
    """

    log_likelihood: Tensor
    q_z2: Gaussian
    q_z1: Gaussian
    p_z1: Gaussian


def _gaussian_head(in_size: int, hidden_size: int, out_size: int) -> nn.Sequential:
    """``(b, in) -> (2, b, out)``: a hidden layer, then the mean and log standard
    deviation."""
    return nn.Sequential(
        nn.Linear(in_size, hidden_size),
        nn.ReLU(),
        nn.Linear(hidden_size, 2 * out_size),
        Rearrange("b (two latent) -> two b latent", two=2),
    )


class HierarchicalVAE(nn.Module):
    """Two stochastic layers, fully connected: ``latent_sizes = (d1, d2)`` for ``z1``
    (next to the image) and ``z2`` (the top). The decoder ``p(x | z1)`` and the first
    encoder layer are those of an :class:`MLPVAE` with ``d1`` latents and the same
    ``hidden_size``; the rest is the second layer.
    """

    def __init__(
        self,
        latent_sizes: Sequence[int] = (32, 16),
        hidden_size: int = 256,
        image_shape: Sequence[int] = (1, 28, 28),
    ) -> None:
        super().__init__()
        if len(latent_sizes) != 2 or min(latent_sizes) < 1:
            raise ValueError(
                "latent_sizes must be two positive sizes (d1, d2), got "
                f"{list(latent_sizes)}"
            )
        if hidden_size < 1:
            raise ValueError(f"hidden_size must be positive, got {hidden_size}")
        self.image_shape = tuple(int(s) for s in image_shape)
        self.latent_sizes, self.hidden_size = (
            tuple(int(s) for s in latent_sizes),
            hidden_size,
        )
        pixels = math.prod(self.image_shape)
        d1, d2 = self.latent_sizes
        self.features = nn.Sequential(
            Rearrange("b c h w -> b (c h w)"), nn.Linear(pixels, hidden_size), nn.ReLU()
        )  # h(x)
        self.q_top = _gaussian_head(
            hidden_size, hidden_size, d2
        )  # q(z2 | x), from h(x)
        self.p_bottom = _gaussian_head(d2, hidden_size, d1)  # p(z1 | z2)
        self.q_bottom = _gaussian_head(
            hidden_size + d2, hidden_size, d1
        )  # q(z1 | x, z2), from h(x) and z2
        c, h, w = self.image_shape
        self.decoder = nn.Sequential(  # p(x | z1): one logit per pixel
            nn.Linear(d1, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, pixels),
            Rearrange("b (c h w) -> b c h w", c=c, h=h, w=w),
        )

    def terms(
        self, x: Tensor, generator: torch.Generator | None = None
    ) -> TwoLayerTerms:
        """One draw of ``z2 ~ q(z2 | x)`` then ``z1 ~ q(z1 | x, z2)`` (reparameterised)
        for binary images ``x (b, c, h, w)``."""
        if x.ndim != 4 or tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(
                "HierarchicalVAE takes images of shape (batch, "
                f"{', '.join(map(str, self.image_shape))}), got {tuple(x.shape)}"
            )
        features = self.features(x)
        mu_2, log_sigma_2 = self.q_top(features)
        z2 = mu_2 + torch.exp(log_sigma_2) * torch.randn(
            mu_2.shape, generator=generator, dtype=mu_2.dtype, device=mu_2.device
        )
        p_mu_1, p_log_sigma_1 = self.p_bottom(z2)
        mu_1, log_sigma_1 = self.q_bottom(torch.cat([features, z2], dim=-1))
        z1 = mu_1 + torch.exp(log_sigma_1) * torch.randn(
            mu_1.shape, generator=generator, dtype=mu_1.dtype, device=mu_1.device
        )
        logits = self.decoder(z1)
        log_likelihood = -rearrange(
            F.binary_cross_entropy_with_logits(logits, x, reduction="none"),
            "b c h w -> b (c h w)",
        ).sum(-1)
        return TwoLayerTerms(
            log_likelihood,
            (mu_2, log_sigma_2),
            (mu_1, log_sigma_1),
            (p_mu_1, p_log_sigma_1),
        )

    def elbo(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """The single-draw ELBO of each image, ``(b,)``, in nats."""
        return two_layer_elbo(*self.terms(x, generator))

    @torch.no_grad()
    def sample_images(self, count: int, seed: int = 0) -> Tensor:
        """``count`` draws ``z2 ~ p(z2)``, ``z1 ~ p(z1 | z2)``, decoded to pixel
        probabilities ``(count, c, h, w)``."""
        generator = torch.Generator().manual_seed(seed)
        device = next(self.parameters()).device
        with mode(self):
            z2 = torch.randn(count, self.latent_sizes[1], generator=generator).to(
                device
            )
            mu, log_sigma = self.p_bottom(z2)
            z1 = mu + torch.exp(log_sigma) * torch.randn(
                mu.shape, generator=generator
            ).to(device)
            return torch.sigmoid(self.decoder(z1))


def vae_elbo(
    model: nn.Module, x: Tensor, generator: torch.Generator | None = None
) -> Tensor:
    """The single-draw ELBO of each binary image ``x (b, c, h, w)``, ``(b,)`` in nats,
    for a :class:`HierarchicalVAE` (two layers) or an :class:`MLPVAE` (one layer,
    Bernoulli decoder).
    """
    if isinstance(model, HierarchicalVAE):
        return model.elbo(x, generator)
    if isinstance(model, MLPVAE) and model.output_scale == "logits":
        mu, log_sigma = model.encoder(x)
        return elbo(
            x,
            mu,
            log_sigma,
            bernoulli_log_likelihood(model.decoder),
            samples=1,
            generator=generator,
        )
    raise TypeError(
        "vae_elbo takes a HierarchicalVAE or an MLPVAE with a Bernoulli decoder, got "
        f"{type(model).__name__}"
    )


def train_on_elbo(
    model: nn.Module,
    images: Tensor,
    steps: int,
    batch_size: int = 100,
    lr: float = 1e-3,
    seed: int = 0,
) -> list[float]:
    """Adam on the negative ELBO (nats per image) for ``steps`` steps, on
    ``images (n, c, h, w)`` in [0, 1], dynamically binarised (every batch a fresh coin
    flip per pixel). Batches, binarisation and the codes' noise all come from one
    generator seeded with ``seed``. Returns the loss of every step. Use it on two models
    with the same ``steps`` and ``seed`` to compare them on equal terms.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if not 1 <= batch_size <= len(images):
        raise ValueError(
            f"batch_size must be between 1 and the {len(images)} images, got "
            f"{batch_size}"
        )
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            "train_on_elbo takes pixels in [0, 1] (they are binarised batch by batch)"
        )
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    order, position = torch.randperm(len(images), generator=generator), 0
    with mode(model, train=True):
        for step in range(steps):
            if position + batch_size > len(
                images
            ):  # a new pass over the data, freshly shuffled
                order, position = torch.randperm(len(images), generator=generator), 0
            batch = binarize(images[order[position : position + batch_size]], generator)
            position += batch_size
            loss = -vae_elbo(model, batch, generator).mean()
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"the negative ELBO is {loss.item()} at step {step}"
                )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
    return losses


@torch.no_grad()
def evaluate_elbo(
    model: nn.Module, images: Tensor, seed: int = 0, batch_size: int = 500
) -> Tensor:
    """The single-draw ELBO of each binary image ``(n, c, h, w)``, ``(n,)`` in nats,
    with seeded draws."""
    if not ((images == 0) | (images == 1)).all():
        raise ValueError(
            "evaluate_elbo scores binary images; binarise them first "
            "(data.binarized_mnist)"
        )
    generator = torch.Generator().manual_seed(seed)
    with mode(model):
        return torch.cat(
            [vae_elbo(model, chunk, generator) for chunk in images.split(batch_size)]
        )
