"""The evidence lower bound (ELBO) and the importance-weighted bound, in nats.

Every function here takes a latent-variable model in three pieces, so that the
same code scores a neural VAE and the exact linear-Gaussian model of the ELBO
chapter:

* the prior ``p(z) = N(0, I)``;
* the encoder's diagonal Gaussian ``q(z | x)``, given as ``mu`` and ``log_sigma``,
  each ``(b, d)``;
* ``log_likelihood(x, z)``: ``log p(x | z)`` for images ``x (b, ...)`` and latents
  ``z (n, b, d)`` (``n`` draws for each image), returning ``(n, b)``.

For one image the importance weights are ``w = p(x | z) p(z) / q(z | x)`` with
``z ~ q(z | x)``. Their mean is an unbiased estimate of ``p(x)``, so

* ``ELBO = E_q[log w] = E_q[log p(x | z)] - KL(q(z | x) || p(z))`` (Jensen: <= log
  p(x));
* ``IWAE_k = E[log (1/k) sum_i w_i]`` (Burda et al., 2016), which grows with ``k``
  and tends to ``log p(x)``.

Everything is computed in log space (log-sum-exp), and :func:`iwae_bound` draws
its ``k`` samples in chunks so that no tensor holds more than ``budget`` numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from vaegan.autoencoders.losses import gaussian_kl
from vaegan.autoencoders.models import is_variational
from vaegan.core.checkpoints import atomic_file
from vaegan.core.model import mode

__all__ = [
    "gaussian_kl",
    "gaussian_log_density",
    "standard_normal_log_density",
    "monte_carlo_kl",
    "elbo_parts_from_noise",
    "elbo_parts",
    "elbo",
    "log_importance_weights",
    "log_mean_exp",
    "iwae_bound",
    "bernoulli_log_likelihood",
    "evaluate_bounds",
    "posterior_usage",
    "DEFAULT_BUDGET",
]

LogLikelihood = Callable[[Tensor, Tensor], Tensor]

# : Largest tensor :func:`iwae_bound` builds, in numbers: 2**24 float32 values are 64
# MiB.
DEFAULT_BUDGET = 2**24

LOG_2PI = math.log(2 * math.pi)


def gaussian_log_density(z: Tensor, mu: Tensor, log_sigma: Tensor) -> Tensor:
    """``log N(z; mu, diag sigma^2)``, summed over the last dimension:
    ``(..., d) -> (...)``."""
    standardised = (z - mu) * torch.exp(-log_sigma)
    return (-0.5 * standardised**2 - log_sigma - 0.5 * LOG_2PI).sum(-1)


def standard_normal_log_density(z: Tensor) -> Tensor:
    """``log N(z; 0, I)``, summed over the last dimension: ``(..., d) -> (...)``."""
    return (-0.5 * z**2 - 0.5 * LOG_2PI).sum(-1)


def _noise(mu: Tensor, count: int, generator: torch.Generator | None) -> Tensor:
    """``count`` standard normal draws shaped like ``mu``:
    ``(b, d) -> (count, b, d)``."""
    return torch.randn(
        (count, *mu.shape), generator=generator, device=mu.device, dtype=mu.dtype
    )


def _draw(
    mu: Tensor, log_sigma: Tensor, count: int, generator: torch.Generator | None
) -> Tensor:
    """``count`` reparameterised draws from ``q``: ``(b, d) -> (count, b, d)``."""
    return mu + torch.exp(log_sigma) * _noise(mu, count, generator)


def monte_carlo_kl(
    mu: Tensor,
    log_sigma: Tensor,
    samples: int = 100_000,
    generator: torch.Generator | None = None,
) -> tuple[float, float]:
    """``KL(N(mu, diag sigma^2) || N(0, I))`` estimated as the mean of
    ``log q(z) - log p(z)`` over ``samples`` draws from ``q``; returns
    ``(estimate, standard error)`` in nats.

    ``mu`` and ``log_sigma`` are one Gaussian, shape ``(d,)``; compare with
    ``gaussian_kl(mu, log_sigma).sum()``."""
    if mu.ndim != 1 or mu.shape != log_sigma.shape:
        raise ValueError(
            "mu and log_sigma must be two vectors of the same size, got "
            f"{tuple(mu.shape)} and {tuple(log_sigma.shape)}"
        )
    if samples < 2:
        raise ValueError(f"a standard error needs at least 2 samples, got {samples}")
    z = _draw(mu[None], log_sigma[None], samples, generator)[:, 0]
    log_ratio = gaussian_log_density(z, mu, log_sigma) - standard_normal_log_density(z)
    return log_ratio.mean().item(), (log_ratio.std() / samples**0.5).item()


def _check_encoder_output(x: Tensor, mu: Tensor, log_sigma: Tensor) -> None:
    if mu.ndim != 2 or mu.shape != log_sigma.shape or mu.shape[0] != x.shape[0]:
        raise ValueError(
            f"mu and log_sigma must both be (batch, latent) with batch = {x.shape[0]} "
            "images, "
            f"got {tuple(mu.shape)} and {tuple(log_sigma.shape)}"
        )


def elbo_parts_from_noise(
    x: Tensor, mu: Tensor, log_sigma: Tensor, log_likelihood: LogLikelihood, eps: Tensor
) -> tuple[Tensor, Tensor]:
    """The ELBO's two terms for each image, ``(b,)`` each, from given standard normal
    draws ``eps (K, b, d)``: the codes are ``z = mu + sigma * eps`` (the
    reparameterisation),

    * ``reconstruction``: the average over the ``K`` draws of ``log p(x | z)``, a Monte
      Carlo estimate of ``E_q[log p(x | z)]`` (each ``log p(x | z)`` summed over pixels:
      nats per image);
    * ``kl``: ``KL(q(z | x) || p(z))`` in closed form, summed over the ``d`` latent
      dimensions.

    ``ELBO = reconstruction - kl``."""
    if eps.ndim != 3 or eps.shape[1:] != mu.shape:
        raise ValueError(
            f"eps must be (K, batch, latent) = (K, {', '.join(map(str, mu.shape))}), "
            f"got {tuple(eps.shape)}"
        )
    z = mu + torch.exp(log_sigma) * eps
    reconstruction = log_likelihood(x, z).mean(0)
    kl = gaussian_kl(mu, log_sigma).sum(-1)
    return reconstruction, kl


def elbo_parts(
    x: Tensor,
    mu: Tensor,
    log_sigma: Tensor,
    log_likelihood: LogLikelihood,
    samples: int = 1,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """The ELBO's two terms for each image, ``(b,)`` each: ``E_q[log p(x | z)]`` (Monte
    Carlo over ``samples`` draws) and ``KL(q(z | x) || p(z))`` (closed form).
    ``ELBO = reconstruction - kl``; see :func:`elbo_parts_from_noise`."""
    _check_encoder_output(x, mu, log_sigma)
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    return elbo_parts_from_noise(
        x, mu, log_sigma, log_likelihood, _noise(mu, samples, generator)
    )


def elbo(
    x: Tensor,
    mu: Tensor,
    log_sigma: Tensor,
    log_likelihood: LogLikelihood,
    samples: int = 1,
    generator: torch.Generator | None = None,
) -> Tensor:
    """The evidence lower bound of each image, ``(b,)``, in nats:
    ``E_q[log p(x|z)] - KL(q || p(z))``."""
    reconstruction, kl = elbo_parts(
        x, mu, log_sigma, log_likelihood, samples, generator
    )
    return reconstruction - kl


def log_importance_weights(
    x: Tensor, mu: Tensor, log_sigma: Tensor, log_likelihood: LogLikelihood, z: Tensor
) -> Tensor:
    """``log w = log p(x | z) + log p(z) - log q(z | x)`` for codes ``z (n, b, d)``:
    ``(n, b)``."""
    return (
        log_likelihood(x, z)
        + standard_normal_log_density(z)
        - gaussian_log_density(z, mu, log_sigma)
    )


def log_mean_exp(log_weights: Tensor, dim: int = 0) -> Tensor:
    """``log (1/K) sum_k exp(log_weights_k)`` over ``dim`` (``K`` entries), computed
    stably: the importance-weighted bound from ``K`` log weights, ``(K, b) -> (b,)``.

    Log weights of images lie tens to hundreds of nats below zero, where ``exp``
    underflows to 0 (and ``log`` of the mean to ``-inf``); subtracting the largest first
    (a log-sum-exp) keeps every term in range. The mean of the log weights instead would
    be the ELBO's estimate.
    """
    return torch.logsumexp(log_weights, dim=dim) - math.log(log_weights.shape[dim])


def iwae_bound(
    x: Tensor,
    mu: Tensor,
    log_sigma: Tensor,
    log_likelihood: LogLikelihood,
    k: int,
    generator: torch.Generator | None = None,
    budget: int = DEFAULT_BUDGET,
) -> Tensor:
    """The importance-weighted bound of each image, ``(b,)``, in nats:
    ``log (1/k) sum_i p(x | z_i) p(z_i) / q(z_i | x)`` with ``z_i ~ q(z | x)``.

    The ``k`` draws come in chunks of ``n`` with
    ``n * b * (numbers per image) <= budget``; a running log-sum-exp combines the
    chunks, so memory does not grow with ``k``. The same ``generator`` state and
    ``budget`` give the same numbers."""
    _check_encoder_output(x, mu, log_sigma)
    if k < 1:
        raise ValueError(
            f"k (the number of importance samples) must be at least 1, got {k}"
        )
    per_draw = x.shape[0] * max(x[0].numel(), mu.shape[1])
    if per_draw > budget:
        raise ValueError(
            f"one draw for this batch already needs {per_draw:,} numbers, more than "
            f"budget={budget:,}; "
            "pass fewer images at a time (at most "
            f"{max(1, budget // max(x[0].numel(), mu.shape[1]))}) or raise the budget"
        )
    chunk = max(1, budget // per_draw)
    if k <= chunk:  # all k draws fit in one tensor
        return log_mean_exp(
            log_importance_weights(
                x, mu, log_sigma, log_likelihood, _draw(mu, log_sigma, k, generator)
            )
        )
    running = torch.full(
        (x.shape[0],), -math.inf, device=mu.device, dtype=mu.dtype
    )  # log of the sum so far
    for start in range(0, k, chunk):
        z = _draw(mu, log_sigma, min(chunk, k - start), generator)
        running = torch.logaddexp(
            running,
            torch.logsumexp(
                log_importance_weights(x, mu, log_sigma, log_likelihood, z), dim=0
            ),
        )
    return running - math.log(k)


def bernoulli_log_likelihood(decoder: nn.Module) -> LogLikelihood:
    """``log p(x | z)`` for a decoder that outputs one logit per pixel (a Bernoulli
    likelihood): the negative binary cross-entropy, summed over pixels."""

    def log_likelihood(x: Tensor, z: Tensor) -> Tensor:
        draws = z.shape[0]
        logits = decoder(rearrange(z, "n b d -> (n b) d"))
        logits = rearrange(logits, "(n b) c h w -> n b c h w", n=draws)
        target = x.unsqueeze(0).expand_as(logits)
        cross_entropy = F.binary_cross_entropy_with_logits(
            logits, target, reduction="none"
        )
        return -rearrange(cross_entropy, "n b c h w -> n b (c h w)").sum(-1)

    return log_likelihood


def _seed(*parts: int) -> int:
    """One seed from several integers (the run's seed, k, the batch): independent
    streams."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


@torch.no_grad()
def evaluate_bounds(
    model: nn.Module,
    images: Tensor,
    ks: Sequence[int] = (1, 10, 100, 1000, 5000),
    seed: int = 0,
    batch_size: int = 100,
    budget: int = DEFAULT_BUDGET,
    elbo_samples: int = 1,
    progress: bool = False,
    resume: str | os.PathLike | None = None,
) -> dict:
    """Score a VAE with a Bernoulli decoder on binary ``images (n, c, h, w)``.

    Returns per-image tensors ``(n,)`` in nats: ``"elbo"``, its ``"reconstruction"``
    and ``"kl"`` terms, and ``"iwae_<k>"`` for every ``k``; plus ``"seconds"`` (per
    bound). Draws for batch ``i`` and bound ``k`` come from their own seeded stream,
    so the first ``m`` images get the same numbers whatever the total (with the same
    ``batch_size`` and ``budget``).

    With ``resume`` (a file), the results so far are saved there after every batch, and
    a run that stopped (Ctrl-C, a crash, the end of a session) continues from that file
    with the same numbers as a run that never stopped: every batch draws from its own
    stream. A file made with another model, other images or other settings is
    refused."""
    if not is_variational(model):
        raise TypeError(
            "evaluate_bounds needs a VAE (an encoder of mu and log sigma), got "
            f"{type(model).__name__}"
        )
    model.check_images(images)
    if not ((images == 0) | (images == 1)).all():
        raise ValueError(
            "the Bernoulli likelihood scores binary images; binarise them first "
            "(data.binarized_mnist)"
        )
    if not ks or min(ks) < 1:
        raise ValueError(
            f"ks must be a non-empty list of sample counts >= 1, got {list(ks)}"
        )
    with mode(model):
        return _score(
            model, images, ks, seed, batch_size, budget, elbo_samples, progress,
            None if resume is None else Path(resume),
        )


def _fingerprint(model: nn.Module, images: Tensor, settings: list) -> str:
    """A digest of the model's weights, the images and the settings: what a saved run
    must match."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().flatten().view(torch.uint8).numpy().tobytes())
    digest.update(images.detach().cpu().contiguous().flatten().view(torch.uint8).numpy().tobytes())
    digest.update(json.dumps(settings).encode())
    return digest.hexdigest()


def _load_progress(file: Path, fingerprint: str, names: list[str]) -> dict | None:
    """The saved progress of this very run, or None when there is none yet."""
    if not file.exists():
        return None
    try:
        saved = torch.load(file, weights_only=True)
        batches, results, seconds = saved["batches"], saved["results"], saved["seconds"]
    except Exception as error:  # a truncated or foreign file
        raise ValueError(f"{file} is not a bounds run's saved progress ({type(error).__name__}: {error}); "
                         "delete it to start the run again") from None
    if saved.get("fingerprint") != fingerprint or sorted(results) != sorted(names):
        raise ValueError(f"{file} holds the progress of another run (another model, other test images or other "
                         "settings); delete it to start this run again, or resume that run with its own settings")
    return {"batches": int(batches), "results": {name: [results[name]] for name in names}, "seconds": dict(seconds)}


def _save_progress(file: Path, fingerprint: str, batches: int, results: dict, seconds: dict) -> None:
    state = {"fingerprint": fingerprint, "batches": batches, "seconds": seconds,
             "results": {name: torch.cat(values) if values else torch.zeros(0) for name, values in results.items()}}
    with atomic_file(file) as temporary:  # never half-written: a Ctrl-C here keeps the previous save
        torch.save(state, temporary)


def _score(model, images, ks, seed, batch_size, budget, elbo_samples, progress, resume=None) -> dict:
    device = next(model.parameters()).device
    log_likelihood = bernoulli_log_likelihood(model.decoder)
    names = ["elbo", "reconstruction", "kl"] + [f"iwae_{k}" for k in ks]
    results: dict[str, list[Tensor]] = {name: [] for name in names}
    seconds = {name: 0.0 for name in ["elbo", *[f"iwae_{k}" for k in ks]]}
    done = 0
    if resume is not None:
        fingerprint = _fingerprint(model, images, [list(ks), seed, batch_size, budget, elbo_samples])
        saved = _load_progress(resume, fingerprint, names)
        if saved is not None:
            done, results, seconds = saved["batches"], saved["results"], saved["seconds"]
    batches = list(enumerate(range(0, len(images), batch_size)))
    remaining = batches[done:]  # the batches before were scored before the run stopped, and saved
    if progress:
        from vaegan.core.progress import progress_bar

        remaining = progress_bar(remaining, desc="bounds", unit="batch", initial=done, total=len(batches))
    for index, start in remaining:
        x = images[start : start + batch_size].to(device)
        mu, log_sigma = model.encoder(x)
        started = time.perf_counter()
        generator = torch.Generator(device).manual_seed(_seed(seed, 0, index))
        reconstruction, kl = elbo_parts(
            x, mu, log_sigma, log_likelihood, elbo_samples, generator
        )
        seconds["elbo"] += time.perf_counter() - started
        results["reconstruction"].append(reconstruction.cpu())
        results["kl"].append(kl.cpu())
        results["elbo"].append((reconstruction - kl).cpu())
        for k in ks:
            started = time.perf_counter()
            generator = torch.Generator(device).manual_seed(_seed(seed, k, index))
            results[f"iwae_{k}"].append(
                iwae_bound(x, mu, log_sigma, log_likelihood, k, generator, budget).cpu()
            )
            seconds[f"iwae_{k}"] += time.perf_counter() - started
        if resume is not None:
            _save_progress(resume, fingerprint, index + 1, results, seconds)
    return {
        **{name: torch.cat(values) for name, values in results.items()},
        "seconds": seconds,
    }


@torch.no_grad()
def posterior_usage(
    model: nn.Module,
    images: Tensor,
    threshold: float = 0.01,
    kl_threshold: float = 0.1,
    batch_size: int = 1000,
) -> dict:
    """How much each latent dimension is used, over ``images``:

    * ``"kl_per_dimension"`` ``(d,)``: the mean of ``KL(q(z_j | x) || N(0, 1))`` over
      images, in nats;
    * ``"activity"`` ``(d,)``: the variance over images of the posterior mean
      ``E_q[z_j]`` (Burda et al.'s measure: a dimension whose mean ignores the input
      carries no information);
    * ``"active"`` ``(d,)`` bool: ``activity > threshold`` (their threshold, 0.01);
    * ``"informative"`` ``(d,)`` bool: ``kl_per_dimension > kl_threshold`` nats. Early
      in training a dimension's mean can wobble with the input (so it counts as active)
      while it carries almost no information; the KL says how much it carries.

    A *collapsed* dimension has ``q(z_j | x) = N(0, 1)`` for every ``x``: zero KL, zero
    activity.
    """
    if not is_variational(model):
        raise TypeError(f"posterior_usage needs a VAE, got {type(model).__name__}")
    model.check_images(images)
    means, kls = [], []
    with mode(model):
        for chunk in images.split(batch_size):
            mu, log_sigma = model.encoder(chunk.to(model.device))
            means.append(mu.cpu())
            kls.append(gaussian_kl(mu, log_sigma).cpu())
    means, kls = torch.cat(means), torch.cat(kls)
    activity = means.var(0)
    kl_per_dimension = kls.mean(0)
    return {
        "kl_per_dimension": kl_per_dimension,
        "activity": activity,
        "active": activity > threshold,
        "informative": kl_per_dimension > kl_threshold,
    }
