"""A VAE's test log-likelihood in nats: the ELBO chapter's evaluation table.

``python -m vaegan bounds bernoulli_vae`` writes ``bernoulli_vae_bounds.json``
beside the checkpoint. The test set is MNIST's 10,000 test digits binarised once
with seed 0 (:func:`vaegan.core.data.binarized_mnist`), so every run and every reader
scores the same 0/1 images.

The importance-weighted bound costs ``k`` decoder passes per image: on a 2-core
CPU, ``k = 5000`` over all 10,000 images takes hours. So the table has two parts,
both from one command:

* the ELBO and the bounds with small ``k`` on **all** test images;
* every ``k`` on the **first** ``subset`` test images (default 1,000, minutes; the
  committed table has ``--subset 10000``, every ``k`` on every image).

It also records the means over a few prefixes of the test set (100, 1,000, ...), so
the chapter can re-evaluate a prefix and compare with the committed numbers.

A long run (``--subset 10000``: every ``k`` on every image) is resumable: the command
saves its progress after every batch (in ``.NAME_bounds.progress/`` beside the table),
and the same command run again continues where it stopped, with the same numbers. The
committed ``bernoulli_vae``'s progress folder is not git-ignored: a run longer than a
session is committed as it stands and continued from a fresh clone (the folder is
removed when the table is written).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

from vaegan.autoencoders.elbo import DEFAULT_BUDGET, evaluate_bounds
from vaegan.core import data

__all__ = ["bounds_table", "summarise", "PREFIXES", "TEST_SEED"]

#: The seed of the static binarisation of the test set.
TEST_SEED = 0
#: Prefixes of the test set whose means the table records (for partial re-evaluation). They are
#: whole batches of the default ``batch_size`` (100): the draws for an image depend on its batch.
PREFIXES = (100, 1000, 10000)


def summarise(values: dict, count: int | None = None) -> dict:
    """Mean and standard error (over images) of every per-image result, in nats, over
    the first ``count``."""
    summary = {}
    for name, per_image in values.items():
        if name == "seconds":
            continue
        chosen = per_image[:count] if count else per_image
        summary[name] = {
            "mean": chosen.double().mean().item(),
            "standard_error": (chosen.double().std() / len(chosen) ** 0.5).item() if len(chosen) > 1 else float("nan"),
            "images": len(chosen),
        }
    return summary


def bounds_table(
    model: nn.Module,
    small_ks: Sequence[int] = (1, 10, 100),
    large_ks: Sequence[int] = (1000, 5000),
    subset: int = 1000,
    test_limit: int | None = None,
    seed: int = 0,
    batch_size: int = 100,
    budget: int = DEFAULT_BUDGET,
    progress: bool = True,
    resume: str | os.PathLike | None = None,
) -> dict:
    """The evaluation table (see the module docstring), as a JSON-ready dict. With
    ``resume`` (a folder), both passes save their progress there after every batch and
    continue from it (:func:`vaegan.autoencoders.elbo.evaluate_bounds`); the times are
    summed over the sessions."""
    test = data.binarized_mnist(train=False, seed=TEST_SEED, limit=test_limit)
    subset = min(subset, len(test))
    files = (None, None)
    if resume is not None:
        Path(resume).mkdir(parents=True, exist_ok=True)
        files = (Path(resume) / "all_images.pt", Path(resume) / "subset_images.pt")
    everything = evaluate_bounds(model, test.images, small_ks, seed, batch_size, budget, progress=progress, resume=files[0])
    first = evaluate_bounds(model, test.images[:subset], large_ks, seed, batch_size, budget, progress=progress, resume=files[1])
    seconds = sum(everything["seconds"].values()) + sum(first["seconds"].values())
    # the small-k bounds of the first images are the same draws in both passes (one stream per batch and k)
    on_subset = {name: values[:subset] for name, values in everything.items() if name != "seconds"}
    on_subset.update({f"iwae_{k}": first[f"iwae_{k}"] for k in large_ks})
    prefixes = [count for count in PREFIXES if count <= len(test) and count % batch_size == 0]
    return {
        "test_set": f"MNIST test digits binarised with seed {TEST_SEED}",
        "test_images": len(test),
        "subset_images": subset,
        "seed": seed,
        "batch_size": batch_size,
        "budget": budget,
        "all": summarise(everything),
        "subset": summarise(on_subset),
        "prefixes": {
            str(count): summarise(on_subset if count <= subset else everything, count)
            for count in prefixes
        },
        "seconds": {
            "all_images": everything["seconds"],
            "subset_images": first["seconds"],
            "total": seconds,
        },
        "machine": {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "device": str(next(model.parameters()).device),
            "processor": platform.processor() or platform.machine(),
        },
    }
