"""The stamp-and-add picture of a transposed convolution, step by step.

:func:`stamp_steps` replays a single-channel 2D transposed convolution one
input pixel at a time and records, for each, the scaled kernel copy it stamps
and the running sum; :func:`draw_stamp_step` draws one step.  Chapter 1's
explorer is a slider over these drawings.  The last running sum, cropped by the
padding, *is* the transposed convolution (the tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

__all__ = ["StampStep", "stamp_steps", "draw_stamp_step"]


@dataclass
class StampStep:
    row: int  # input pixel being stamped
    col: int
    value: float
    top: int  # where its kernel copy lands in the full (uncropped) output
    left: int
    stamp: Tensor  # (kernel_height, kernel_width): value * kernel
    running_sum: Tensor  # (full_height, full_width) after this stamp


def stamp_steps(x: Tensor, kernel: Tensor, stride: int = 1) -> list[StampStep]:
    """``x (height, width)``, ``kernel (kernel_height, kernel_width)`` -> one step per
    input pixel, in raster order.  The full output is
    ``((height - 1) * stride + kh, (width - 1) * stride + kw)``."""
    if x.dim() != 2 or kernel.dim() != 2:
        raise ValueError("stamp_steps takes a 2D input and a 2D kernel (single channel)")
    height, width = x.shape
    kernel_height, kernel_width = kernel.shape
    running = torch.zeros((height - 1) * stride + kernel_height, (width - 1) * stride + kernel_width)
    steps = []
    for row in range(height):
        for col in range(width):
            value = float(x[row, col])
            stamp = value * kernel
            top, left = row * stride, col * stride
            running = running.clone()
            running[top : top + kernel_height, left : left + kernel_width] += stamp
            steps.append(StampStep(row, col, value, top, left, stamp, running))
    return steps


def _heatmap(axis, values: np.ndarray, title: str, vmax: float, highlight=None, crop=None) -> None:
    import matplotlib.patches as patches

    axis.imshow(values, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    for (r, c), v in np.ndenumerate(values):
        # White digits on the darkest cells, black elsewhere, so every number stays readable.
        color = "white" if abs(v) > 0.6 * vmax else "black"
        axis.text(c, r, f"{v:g}", ha="center", va="center", fontsize=9, color=color)
    if highlight is not None:
        (top, left, h, w) = highlight
        axis.add_patch(patches.Rectangle((left - 0.5, top - 0.5), w, h, fill=False, lw=2.5, ec="black"))
    if crop is not None:
        (top, left, h, w) = crop
        axis.add_patch(
            patches.Rectangle((left - 0.5, top - 0.5), w, h, fill=False, lw=1.5, ec="tab:green", ls="--")
        )
    axis.set_title(title, fontsize=10)
    axis.set_xticks([])
    axis.set_yticks([])


def draw_stamp_step(
    x: Tensor, kernel: Tensor, steps: list[StampStep], index: int, padding: int = 0, dpi: int = 72
):
    """A figure with four panels: the input (current pixel boxed), the kernel, the
    stamp it adds (boxed where it lands) and the running sum (the green dashed box
    is what survives the ``padding`` crop).  ``index == len(steps)`` draws the
    finished result.  Returns the figure (the caller closes it)."""
    import matplotlib.pyplot as plt

    done = index >= len(steps)
    step = steps[min(index, len(steps) - 1)]
    full = step.running_sum.numpy()
    stamp_canvas = np.zeros_like(full)
    if not done:
        kh, kw = step.stamp.shape
        stamp_canvas[step.top : step.top + kh, step.left : step.left + kw] = step.stamp.numpy()
    vmax = max(1e-6, float(np.abs(full).max()), float(np.abs(stamp_canvas).max()))
    crop = (padding, padding, full.shape[0] - 2 * padding, full.shape[1] - 2 * padding)

    # two rows, so the figure fits the page's column (6.8 inches) with its numbers readable:
    # what is stamped (input, kernel) above, what it adds up to (stamp, running sum) below
    figure, axes = plt.subplots(2, 2, figsize=(6.8, 6.2), dpi=dpi, gridspec_kw={"height_ratios": [1, 1.6]})
    axes = axes.flatten()
    _heatmap(axes[0], x.numpy(), "input", float(x.abs().max()), None if done else (step.row, step.col, 1, 1))
    _heatmap(axes[1], kernel.numpy(), "kernel", float(kernel.abs().max()))
    kh, kw = step.stamp.shape
    if done:
        _heatmap(axes[2], stamp_canvas, "nothing left to stamp", vmax)
        _heatmap(axes[3], full, "result (green: kept after padding)", vmax, crop=crop)
    else:
        _heatmap(
            axes[2], stamp_canvas, f"stamp: {step.value:g} x kernel", vmax, highlight=(step.top, step.left, kh, kw)
        )
        _heatmap(axes[3], full, f"running sum after {index + 1} of {len(steps)}", vmax, crop=crop)
    figure.tight_layout()
    return figure
