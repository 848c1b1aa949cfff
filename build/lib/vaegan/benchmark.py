"""Side-by-side timing: implementations alternate inside every repetition, so
machine noise hits them alike, and results are reported as ratios."""

from __future__ import annotations

import statistics
import time
from typing import Callable

__all__ = ["time_side_by_side"]


def time_side_by_side(
    candidates: dict[str, Callable[[], object]], repeats: int = 7, warmup: int = 1
) -> dict[str, float]:
    """Median seconds of each zero-argument callable, measured interleaved."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        for run in candidates.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
