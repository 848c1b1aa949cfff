"""The few figure helpers every chapter needs: image grids, coloured scatters, training signals."""

from __future__ import annotations

import numpy as np
from einops import rearrange
from torch import Tensor

__all__ = ["image_grid", "show_images", "scatter_codes", "moving_average", "plot_signals"]


def image_grid(images: Tensor, nrow: int = 10, padding: int = 2, pad_value: float = 1.0) -> np.ndarray:
    """``(n, c, h, w)`` pixels in [0, 1] -> one ``(H, W, c)`` array, ``nrow`` images per row.

    A ``(rows, columns, c, h, w)`` tensor (what :func:`vaegan.autoencoders.latent.latent_grid` returns)
    keeps its layout."""
    from torchvision.utils import make_grid

    if images.ndim == 5:
        nrow = images.shape[1]
        images = rearrange(images, "r c ch h w -> (r c) ch h w")
    if images.ndim != 4:
        raise ValueError(f"image_grid takes (n, c, h, w) or (rows, columns, c, h, w), got {tuple(images.shape)}")
    grid = make_grid(images.detach().float().cpu().clamp(0, 1), nrow=nrow, padding=padding, pad_value=pad_value)
    return rearrange(grid, "c h w -> h w c").numpy()


def show_images(images: Tensor, nrow: int = 10, ax=None, title: str | None = None, **kwargs):
    """Draw :func:`image_grid` on ``ax`` (a new figure if None); return the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        count = images.shape[0] * (images.shape[1] if images.ndim == 5 else 1)
        columns = images.shape[1] if images.ndim == 5 else nrow
        rows = -(-count // columns)
        _, ax = plt.subplots(figsize=(min(12, 0.6 * columns + 0.5), 0.6 * rows + 0.5))
    grid = image_grid(images, nrow, **kwargs)
    ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def scatter_codes(codes: Tensor, labels: Tensor, ax=None, title: str | None = None, xlabel: str = "", ylabel: str = ""):
    """Scatter two columns of codes ``(n, 2)``, one colour per digit, with a legend; each digit is also
    written at the median of its codes, so the classes read without telling colours apart."""
    import matplotlib.pyplot as plt
    from matplotlib import patheffects

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    colours = plt.get_cmap("tab10")
    outline = [patheffects.withStroke(linewidth=3, foreground="white")]
    for digit in range(10):
        chosen = labels == digit
        ax.scatter(codes[chosen, 0], codes[chosen, 1], s=3, alpha=0.5, color=colours(digit), label=str(digit), rasterized=True)
        if chosen.any():
            centre = codes[chosen].median(dim=0).values
            ax.text(float(centre[0]), float(centre[1]), str(digit), ha="center", va="center", fontsize=11,
                    fontweight="bold", color=colours(digit), path_effects=outline)
    ax.legend(markerscale=4, fontsize=8, ncol=2, loc="best", title="digit")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def moving_average(values, window: int) -> np.ndarray:
    """The mean of each ``window`` consecutive values (NaN entries, e.g. a generator not yet updated, skipped)."""
    values = np.asarray(values, dtype=float)
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    finite = np.isfinite(values)
    sums = np.convolve(np.where(finite, values, 0.0), np.ones(window), mode="valid")
    counts = np.convolve(finite.astype(float), np.ones(window), mode="valid")
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def plot_signals(history: list[dict], keys, ax=None, window: int = 25, title: str | None = None, log: bool = False):
    """Draw the recorded training signals ``keys`` (e.g. ``d_loss``, ``g_loss``) against the step,
    each as a moving average over ``window`` steps; return the axes."""
    import matplotlib.pyplot as plt

    if not history:
        raise ValueError("the history is empty: train first")
    missing = [key for key in keys if key not in history[0]]
    if missing:
        raise KeyError(f"no signal {missing} in the history; it records {sorted(history[0])}")
    if ax is None:  # only after the checks: a refused call leaves no open figure behind
        _, ax = plt.subplots(figsize=(6, 3.2))
    steps = np.array([row["step"] for row in history])
    window = max(1, min(window, len(history)))
    styles = ["-", "--", ":", "-."]  # lines differ in dash as well as colour, and carry their names at their ends
    for index, key in enumerate(keys):
        averaged = moving_average([row[key] for row in history], window)
        ax.plot(steps[window - 1:], averaged, label=key, linestyle=styles[index % len(styles)])
        finite = np.flatnonzero(np.isfinite(averaged))
        if finite.size:
            last = finite[-1]
            ax.annotate(key, (steps[window - 1:][last], averaged[last]), xytext=(3, 0), textcoords="offset points",
                        fontsize=7, va="center", annotation_clip=False)
    ax.set(xlabel="step", title=title or "")
    if log:
        ax.set_yscale("log")
    ax.legend(frameon=False, fontsize=8)
    return ax
