"""The few figure helpers every chapter needs: image grids, coloured scatters, training
signals.

Sizes are set in pixels of the page, not left to matplotlib's defaults.
:func:`use_book_style` renders every figure at twice its page size (sharp on
high-density screens), and image grids are laid out so that each digit shows at least
twice its 28 pixels and each face at least its native 64 (:func:`display_scale`);
:func:`image_panels` puts several grids (and plots) in one figure, side by side while
they fit the page's text column and stacked when they do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from einops import rearrange
from torch import Tensor

__all__ = [
    "use_book_style", "display_scale", "image_grid", "show_images", "Grid", "Plot", "image_panels",
    "scatter_codes", "moving_average", "plot_signals", "FIGURE_DPI", "COLUMN_PIXELS",
]

# One inch of figure is FIGURE_DPI pixels of the page (CSS pixels); the PNG holds twice as many.
FIGURE_DPI = 100
# The width of the book's text column on a 1280-pixel screen (688, measured by the browser test),
# less the 10 pixels a side that matplotlib's tight bounding box adds around a figure.
COLUMN_PIXELS = 680
GRID_PADDING = 2
PANEL_PADDING = 1  # image pixels between the images of an image_panels grid (2 page pixels at 2x)


def use_book_style() -> None:
    """Render the notebook's figures as the book's pages show them: PNGs at twice the
    page size ("retina": the page scales them back, so lines and pixels stay sharp on
    high-density screens), FIGURE_DPI pixels to the inch, and text no smaller than 9
    points. Outside IPython only the sizes are set."""
    import matplotlib

    matplotlib.rcParams.update({
        "figure.dpi": FIGURE_DPI, "font.size": 10,
        "axes.titlesize": 10, "axes.labelsize": 10, "legend.fontsize": 9,
        "xtick.labelsize": 9, "ytick.labelsize": 9, "figure.titlesize": 11,
    })
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # a plain Python process: nothing renders inline
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def display_scale(image_size: int) -> int:
    """How many page pixels each image pixel gets: 2 for digits and other small images
    (up to 32 pixels a side), 1 for faces and larger images."""
    if image_size < 1:
        raise ValueError(f"image_size must be at least 1 pixel, got {image_size}")
    return 2 if image_size <= 32 else 1


def image_grid(images: Tensor, nrow: int = 10, padding: int = 2, pad_value: float = 1.0) -> np.ndarray:
    """``(n, c, h, w)`` pixels in [0, 1] -> one ``(H, W, c)`` array, ``nrow`` images per
    row.

    A ``(rows, columns, c, h, w)`` tensor (what
    :func:`vaegan.autoencoders.latent.latent_grid` returns) keeps its layout."""
    from torchvision.utils import make_grid

    if images.ndim == 5:
        nrow = images.shape[1]
        images = rearrange(images, "r c ch h w -> (r c) ch h w")
    if images.ndim != 4:
        raise ValueError(f"image_grid takes (n, c, h, w) or (rows, columns, c, h, w), got {tuple(images.shape)}")
    grid = make_grid(images.detach().float().cpu().clamp(0, 1), nrow=nrow, padding=padding, pad_value=pad_value)
    return rearrange(grid, "c h w -> h w c").numpy()


def show_images(images: Tensor, nrow: int = 10, ax=None, title: str | None = None,
                row_labels: Sequence[str] | None = None, **kwargs):
    """Draw :func:`image_grid` on ``ax``; without ``ax``, in a new figure sized so each
    image shows at :func:`display_scale` times its size (see :func:`image_panels`).
    ``row_labels`` name the grid's rows, written to their left. Return the axes."""
    if ax is None:
        _, (ax,) = image_panels([Grid(images, nrow, title, row_labels=row_labels, **kwargs)])  # PANEL_PADDING
        return ax
    padding = kwargs.get("padding", GRID_PADDING)
    _draw_grid(ax, image_grid(images, nrow, **kwargs), title, row_labels, images.shape[-2], padding)
    return ax


def _draw_grid(ax, grid: np.ndarray, title: str | None, row_labels=None, image_height: int = 0,
               padding: int = GRID_PADDING) -> None:
    ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    rows = (grid.shape[0] - padding) // (image_height + padding) if image_height else 0
    if row_labels is not None:
        if len(row_labels) != rows:
            raise ValueError(f"{len(row_labels)} row labels for a grid of {rows} rows: give one label per row")
        for index, label in enumerate(row_labels):
            centre = padding + index * (image_height + padding) + image_height / 2
            ax.text(-4, centre, label, ha="right", va="center", fontsize=9, clip_on=False)


def _label_width(row_labels) -> float:
    """Page pixels to keep left of a grid for its row labels (9-point text, about 6
    pixels a character)."""
    return 12 + 6.2 * max(len(label) for label in row_labels) if row_labels else 0.0


@dataclass
class Grid:
    """One image grid of :func:`image_panels`: ``images`` as :func:`image_grid` takes
    them."""

    images: Tensor
    nrow: int = 10
    title: str | None = None
    padding: int = PANEL_PADDING
    scale: int | None = None  # page pixels per image pixel; None: display_scale(image height)
    row_labels: Sequence[str] | None = None  # one per row of the grid, written to its left

    def __post_init__(self) -> None:
        # checked here, before any figure is opened, so a refused call leaves none behind
        rows = self.images.shape[0] if self.images.ndim == 5 else -(-self.images.shape[0] // self.nrow)
        if self.row_labels is not None and len(self.row_labels) != rows:
            raise ValueError(f"{len(self.row_labels)} row labels for a grid of {rows} rows: give one label per row")

    def pixels(self) -> np.ndarray:
        return image_grid(self.images, self.nrow, padding=self.padding)

    def size(self) -> tuple[float, float]:
        """(width, height) of the grid alone, in page pixels."""
        height, width = self.pixels().shape[:2]
        scale = self.scale or display_scale(self.images.shape[-2])
        return width * scale, height * scale


@dataclass
class Plot:
    """A panel of :func:`image_panels` for an ordinary plot, ``width`` x ``height`` page
    pixels including room for its labels; the caller draws on the axes returned."""

    width: float = 480
    height: float = 320


def image_panels(panels: Sequence[Grid | Plot], gap: float = 24, column: float = COLUMN_PIXELS):
    """One figure holding ``panels`` left to right, a new row whenever the next panel
    would overflow ``column`` page pixels; each grid's images keep their display scale.
    Returns ``(figure, axes)``, one axes per panel in order (a :class:`Plot`'s axes are
    left for the caller to draw on).

    A grid wider than the column on its own is drawn at the column's width instead (a
    smaller scale), the one case where the scale gives way."""
    import matplotlib.pyplot as plt

    if not panels:
        raise ValueError("image_panels needs at least one Grid or Plot")
    for panel in panels:
        if not isinstance(panel, (Grid, Plot)):
            raise TypeError(f"panels are Grid(images, ...) or Plot(width, height), got {type(panel).__name__}")
    title_room, plot_margins = 22.0, (58.0, 44.0, 28.0, 12.0)  # page pixels: left, bottom, top, right
    sizes = []
    for panel in panels:
        if isinstance(panel, Grid):
            width, height = panel.size()
            labels = _label_width(panel.row_labels)
            if width + labels > column:
                width, height = column - labels, height * (column - labels) / width
            sizes.append((width + labels, height + (title_room if panel.title else 0)))
        else:
            sizes.append((float(panel.width), float(panel.height)))
    rows, row, row_width = [], [], 0.0
    for index, (width, _) in enumerate(sizes):
        if row and row_width + gap + width > column:
            rows.append(row)
            row, row_width = [], 0.0
        row_width += (gap if row else 0) + width
        row.append(index)
    rows.append(row)
    figure_width = max(sum(sizes[i][0] for i in r) + gap * (len(r) - 1) for r in rows)
    row_heights = [max(sizes[i][1] for i in r) for r in rows]
    figure_height = sum(row_heights) + gap * (len(rows) - 1)
    figure = plt.figure(figsize=(figure_width / FIGURE_DPI, figure_height / FIGURE_DPI), dpi=FIGURE_DPI)
    axes = [None] * len(panels)
    top = figure_height
    for r, height in zip(rows, row_heights):
        left = 0.0
        for index in r:
            width, panel_height = sizes[index]
            panel = panels[index]
            if isinstance(panel, Grid):
                labels = _label_width(panel.row_labels)
                box = (left + labels, top - panel_height, width - labels, panel_height - (title_room if panel.title else 0))
            else:
                m_left, m_bottom, m_top, m_right = plot_margins
                box = (left + m_left, top - panel_height + m_bottom, width - m_left - m_right, panel_height - m_bottom - m_top)
            ax = figure.add_axes([box[0] / figure_width, box[1] / figure_height, box[2] / figure_width, box[3] / figure_height])
            if isinstance(panel, Grid):
                _draw_grid(ax, panel.pixels(), panel.title, panel.row_labels, panel.images.shape[-2], panel.padding)
            axes[index] = ax
            left += width + gap
        top -= height + gap
    return figure, axes


def scatter_codes(codes: Tensor, labels: Tensor, ax=None, title: str | None = None, xlabel: str = "", ylabel: str = ""):
    """Scatter two columns of codes ``(n, 2)``, one colour per digit, with a legend;
    each digit is also written at the median of its codes, so the classes read without
    telling colours apart."""
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
    """The mean of each ``window`` consecutive values (NaN entries, e.g. a generator not
    yet updated, skipped)."""
    values = np.asarray(values, dtype=float)
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    finite = np.isfinite(values)
    sums = np.convolve(np.where(finite, values, 0.0), np.ones(window), mode="valid")
    counts = np.convolve(finite.astype(float), np.ones(window), mode="valid")
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def plot_signals(history: list[dict], keys, ax=None, window: int = 25, title: str | None = None, log: bool = False):
    """Draw the recorded training signals ``keys`` (e.g. ``d_loss``, ``g_loss``) against
    the step, each as a moving average over ``window`` steps; return the axes."""
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
    styles = ["-", "--", ":", "-."]  # lines differ in dash as well as colour; the legend names them
    for index, key in enumerate(keys):
        averaged = moving_average([row[key] for row in history], window)
        ax.plot(steps[window - 1:], averaged, label=key, linestyle=styles[index % len(styles)])
    ax.set(xlabel="step", title=title or "")
    if log:
        ax.set_yscale("log")
    ax.legend(frameon=False, fontsize=8)
    return ax
