"""Seeds and devices: the same command gives the same numbers."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything", "use_threads", "default_device"]

THREADS_VARIABLE = "OMP_NUM_THREADS"


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator seeded the same way
    for code that wants its own stream (data shuffling, fixed latent batches)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def use_threads(default: int = 2) -> int:
    """Give torch ``$OMP_NUM_THREADS`` threads when that is set, else ``default``;
    return the count.

    The chapters' numbers are made with two threads, on the two cores of the machine
    that builds the website (a sum split over more threads rounds differently in its
    last bits). The environment variable overrides it for a machine that runs chapters
    side by side: ``make test`` executes two at once with one thread each, where two
    threads each would leave four spinning on two cores."""
    if not isinstance(default, int) or isinstance(default, bool) or default < 1:
        raise ValueError(f"default must be a positive int (a number of threads), got {default!r}")
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{THREADS_VARIABLE}={text!r} is not a positive whole number of threads; "
                             f"set it to one (export {THREADS_VARIABLE}=2) or unset it")
        threads = int(text)
    else:
        threads = default
    torch.set_num_threads(threads)
    return threads


def default_device() -> torch.device:
    """CUDA if present, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
