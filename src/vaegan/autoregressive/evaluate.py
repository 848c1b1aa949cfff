"""What the autoregressive chapter measures: the exact test-set likelihood, and image
completion.

* :func:`exact_nll`: the negative log-likelihood in nats of the statically binarised
  test digits (seed 0, the set the ELBO chapter scores the VAE on), exact because every
  conditional is;
* :func:`save_samples`: a seeded sample set, written as ``NAME_samples.pt`` with how
  long it took;
* :func:`complete`: keep a digit's first rows and sample the rest from p(rest | given
  rows).
"""

from __future__ import annotations

import time

import torch
from einops import rearrange
from torch import Tensor, nn

from vaegan.autoregressive.models import log_likelihood
from vaegan.core import data
from vaegan.core.checkpoints import save_sample_set
from vaegan.core.model import mode

__all__ = ["exact_nll", "save_samples", "complete", "completion_rows"]


def exact_nll(
    model: nn.Module, limit: int | None = None, batch_size: int = 500
) -> dict:
    """The exact negative log-likelihood of the statically binarised MNIST test set
    (seed 0, the ELBO chapter's set) in nats: ``{"mean", "standard_error", "images"}``
    over its first ``limit`` images.
    """
    test = data.binarized_mnist(train=False, seed=0, limit=limit)
    values = -log_likelihood(model, test.images, batch_size)
    return {
        "mean": values.mean().item(),
        "standard_error": (
            (values.std() / len(values) ** 0.5).item()
            if len(values) > 1
            else float("nan")
        ),
        "images": len(values),
    }


def save_samples(
    model: nn.Module,
    path,
    count: int,
    seed: int = 0,
    chunk: int = 100,
    extra: dict | None = None,
) -> dict:
    """Draw ``count`` samples with ``model.sample_images`` (seeded chunks) and write
    them, packed, with how they were drawn and how long it took, to ``path_samples.pt``.
    A page that cannot afford to draw a thousand images pixel by pixel loads them with
    :func:`vaegan.core.checkpoints.load_samples` and re-draws one chunk to check
    them."""
    started = time.perf_counter()
    images = model.sample_images(count, seed, chunk)
    record = {
        "count": count,
        "seed": seed,
        "chunk": chunk,
        "seconds": time.perf_counter() - started,
        "threads": torch.get_num_threads(),
        **(extra or {}),
    }
    save_sample_set(path, images, record)
    return record


def complete(
    model: nn.Module, digits: Tensor, given_rows: int, per_digit: int, seed: int = 0
) -> Tensor:
    """Image completion: ``(n, 1, h, w)`` binary digits -> ``(n, per_digit, 1, h, w)``,
    each digit's first ``given_rows`` rows kept and the rest sampled ``per_digit`` times
    from p(rest | given).
    """
    width = digits.shape[-1]
    if not 0 <= given_rows <= digits.shape[-2] or per_digit < 1:
        raise ValueError(
            f"given_rows must be in [0, {digits.shape[-2]}] and per_digit >= 1, got "
            f"{given_rows} and {per_digit}"
        )
    repeated = digits.repeat_interleave(per_digit, dim=0)
    given = rearrange(repeated, "b c h w -> b (c h w)")[:, : given_rows * width]
    with mode(model):
        drawn = model.sample(
            len(repeated), torch.Generator().manual_seed(seed), given=given
        )
    return rearrange(drawn, "(n k) c h w -> n k c h w", k=per_digit)


def completion_rows(digits: Tensor, completed: Tensor, given_rows: int) -> Tensor:
    """For display, ``(n, k + 2, 1, h, w)``: per digit, the given rows (the rest grey),
    the ``k`` completions from :func:`complete`, then the whole digit."""
    shown = digits.clone()
    shown[:, :, given_rows:] = 0.5
    return torch.cat([shown.unsqueeze(1), completed, digits.unsqueeze(1)], dim=1)
