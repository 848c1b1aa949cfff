"""Explorers: interactive figures that work with or without a kernel.

Every frame an explorer can show is computed in Python beforehand. The explorer is one
HTML output with a small script (``explorer.js``, idempotent, so every explorer may
carry it): native range sliders choose the frame, buttons choose between panels, and
nothing needs a kernel or a widget manager. So it responds in Jupyter and Colab, and
equally on the book's static pages.

Where the frames live keeps the pages light. When a chapter runs inside the book's
source tree (the site build), every frame is written once as a PNG file into the site
(``book/assets/frames``, published as ``_static/frames``, named by its content) and the
page holds only addresses: the browser fetches a frame when the reader moves to it.
Elsewhere (Jupyter, Colab) the frames travel inside the output as data URLs.

Each explorer is one function call from a chapter and returns an :class:`Explorer` to
display:

* :func:`slider_explorer`: one slider over a list of frames (training steps,
  interpolation coefficient, a sweep of beta).
* :func:`grid_explorer`: two sliders over a 2D table of frames (two latent
  directions).
* :func:`choice_explorer`: buttons that switch between whole explorers (presets).

Every explorer's outer element carries the CSS class ``vaegan-explorer``; the browser
test finds explorers by it. Every frame is an ``<img>`` whose ``alt`` says which frame
it is, and every slider is named by its ``description`` and announces the frame's label
as its value.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import io
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from vaegan.core.checkpoints import atomic_file
from vaegan.core.site import book_assets
from vaegan.gans.walks import walk
from vaegan.pages.plotting import image_grid

__all__ = [
    "to_png", "Explorer", "slider_explorer", "grid_explorer", "choice_explorer", "latent_walk_explorer",
    "site_assets", "png_address", "EXPLORER_CLASS", "SITE_FRAMES",
]

EXPLORER_CLASS = "vaegan-explorer"
# Where a chapter page (book/chapters/NAME.html) finds the frames written into the site.
SITE_FRAMES = "../../_static/frames"
_SCRIPT = Path(__file__).with_name("explorer.js")
# A figure's frame is drawn at twice its page size, so it stays sharp on high-density screens.
RETINA = 2


def to_png(frame, size: int | None = None, scale: float = 1) -> bytes:
    """PNG bytes from a matplotlib figure, a PIL image, PNG bytes, or an image
    array/tensor shaped ``(h, w)``, ``(c, h, w)`` or ``(h, w, c)`` with values in [0,
    1].

    ``size`` enlarges small images (the longer side, nearest-neighbour, so pixels stay
    crisp); ``scale`` draws a figure at that many times its own dpi. A figure is closed
    after rendering, so a loop of frames leaves no figures open.
    """
    from PIL import Image

    if isinstance(frame, (bytes, bytearray)):
        return bytes(frame)
    if hasattr(frame, "savefig"):
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        frame.savefig(buffer, format="png", bbox_inches="tight", dpi=frame.dpi * scale)
        plt.close(frame)
        return buffer.getvalue()
    if isinstance(frame, Image.Image):
        image = frame
    else:
        array = frame.detach().cpu().numpy() if hasattr(frame, "detach") else np.asarray(frame)
        if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
            array = np.transpose(array, (1, 2, 0))  # "c h w -> h w c"
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        if array.ndim not in (2, 3):
            raise ValueError(f"cannot turn an array of shape {array.shape} into an image")
        image = Image.fromarray((np.clip(array, 0.0, 1.0) * 255).round().astype(np.uint8))
    if size is not None and max(image.size) < size:
        factor = size / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclasses.dataclass(frozen=True)
class Frame:
    """One image an explorer can show: its PNG, its size on the page in CSS pixels, and
    the words after the explorer's name in its text alternative."""

    png: bytes
    width: int
    height: int
    words: str
    pixels: bool = False  # an enlarged image array (drawn pixelated), not a figure


def _frame(frame, size: int | None, words: str) -> Frame:
    from PIL import Image

    is_figure = hasattr(frame, "savefig")
    png = to_png(frame, size, scale=RETINA if is_figure else 1)
    width, height = Image.open(io.BytesIO(png)).size
    if is_figure:  # drawn at twice its page size
        width, height = round(width / RETINA), round(height / RETINA)
    return Frame(png, width, height, words, pixels=not is_figure)


@dataclasses.dataclass
class Panel:
    """Sliders over a table of frames: ``shape[d]`` positions on slider ``d``, the
    frames in row-major order (the last slider moves fastest)."""

    descriptions: list[str]
    labels: list[list[str] | None]
    shape: list[int]
    frames: list[Frame]

    def label(self, slider: int, position: int) -> str:
        labels = self.labels[slider]
        return labels[position] if labels is not None else f"{position + 1} of {self.shape[slider]}"


def site_assets(kind: str, start: Path | None = None) -> Path | None:
    """The site's folder for files a page makes (``book/assets/KIND``, published as
    ``_static/KIND``) when this notebook runs inside the book's source tree (the site
    build); None elsewhere, where an explorer keeps its files inside its output."""
    assets = book_assets(start)
    return None if assets is None else assets / kind


def png_address(png: bytes, folder: Path | None) -> str:
    """Where a page finds the image ``png``: a file in the site's ``folder`` (from
    :func:`site_assets`), named by its content and written once, or, without a folder, a
    data URL."""
    if folder is None:
        return "data:image/png;base64," + base64.b64encode(png).decode()
    name = hashlib.sha256(png).hexdigest()[:20] + ".png"
    path = Path(folder) / name
    if not path.exists():  # the same image in two builds (or two explorers) is one file
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as partial:
            partial.write_bytes(png)
    return f"{SITE_FRAMES}/{name}"


class Explorer:
    """An explorer, shown as one HTML output: a title, buttons between named panels when
    there are several, and each panel's sliders over its frames.

    Built by :func:`slider_explorer`, :func:`grid_explorer` and :func:`choice_explorer`;
    a notebook displays it through ``_repr_html_``, which decides where the frames go
    (:func:`site_assets`)."""

    def __init__(self, panels: dict[str, Panel], title: str | None = None, choice: str | None = None) -> None:
        if not panels:
            raise ValueError("an explorer needs at least one panel")
        self.panels, self.title, self.choice = dict(panels), title, choice

    @property
    def frame_count(self) -> int:
        return sum(len(panel.frames) for panel in self.panels.values())

    def __repr__(self) -> str:
        return f"<Explorer {self.title or ''!r}: {len(self.panels)} panel(s), {self.frame_count} frames>"

    def alt(self, option: str, frame: Frame) -> str:
        """A frame's text alternative:
        ``"<title>[, <option>]: <slider> <label>[, ...]"``."""
        name = self.title or self.choice or "Explorer"
        return f"{name}, {option}: {frame.words}" if self.choice else f"{name}: {frame.words}"

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self, folder: Path | None = None) -> str:
        """The explorer's HTML and script; ``folder`` (default :func:`site_assets`)
        receives the frames."""
        folder = site_assets("frames") if folder is None else folder
        escape = lambda text: html.escape(str(text), quote=True)  # noqa: E731
        config, parts = [], []
        if self.title:
            parts.append(f'<p class="vaegan-explorer-title"><b>{escape(self.title)}</b></p>')
        if self.choice:
            buttons = "".join(
                f'<button type="button" aria-pressed="{str(index == 0).lower()}">{escape(option)}</button>'
                for index, option in enumerate(self.panels)
            )
            parts.append(f'<div class="vaegan-explorer-choices" role="group" aria-label="{escape(self.choice)}">'
                         f'<span aria-hidden="true">{escape(self.choice)}</span> {buttons}</div>')
        for index, (option, panel) in enumerate(self.panels.items()):
            frames = [[png_address(frame.png, folder), self.alt(option, frame), frame.width, frame.height]
                      for frame in panel.frames]
            labels = [[panel.label(d, k) for k in range(n)] for d, n in enumerate(panel.shape)]
            config.append({"shape": panel.shape, "labels": labels, "frames": frames})
            sliders = "".join(
                f'<label class="vaegan-explorer-slider"><span>{escape(description)}</span>'
                f'<input type="range" min="0" max="{count - 1}" step="1" value="0" aria-label="{escape(description)}" '
                f'aria-valuetext="{escape(panel.label(d, 0))}"><output>{escape(panel.label(d, 0))}</output></label>'
                for d, (description, count) in enumerate(zip(panel.descriptions, panel.shape))
            )
            first = frames[0]
            # only the panel shown first names its image's file; the others' load when chosen
            source = f'src="{escape(first[0])}" ' if index == 0 else ""
            parts.append(
                f'<div class="vaegan-explorer-panel"{"" if index == 0 else " hidden"}>'
                f'<div class="vaegan-explorer-sliders">{sliders}</div>'
                f'<img class="vaegan-frame{" vaegan-pixels" if panel.frames[0].pixels else ""}" loading="lazy" {source}alt="{escape(first[1])}" width="{first[2]}" height="{first[3]}"></div>'
            )
        return (f'<div class="{EXPLORER_CLASS}" data-explorer="{escape(json.dumps(config))}">{"".join(parts)}</div>'
                f"<script>{_SCRIPT.read_text()}</script>")


def _check_labels(labels: Sequence[str] | None, count: int) -> list[str] | None:
    if labels is not None and len(labels) != count:
        raise ValueError(f"got {len(labels)} labels for {count} frames")
    return None if labels is None else [str(label) for label in labels]


def slider_explorer(
    frames: Sequence,
    labels: Sequence[str] | None = None,
    description: str = "step",
    title: str | None = None,
    size: int | None = None,
) -> Explorer:
    """One slider over ``frames``; ``labels`` (one per frame) replace the ``k of n``
    readout."""
    if len(frames) == 0:
        raise ValueError("an explorer needs at least one frame")
    labels = _check_labels(labels, len(frames))
    panel = Panel([description], [labels], [len(frames)], [])
    panel.frames = [_frame(frame, size, f"{description} {panel.label(0, k)}") for k, frame in enumerate(frames)]
    return Explorer({"": panel}, title)


def grid_explorer(
    frames: Sequence[Sequence],
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    row_description: str = "row",
    column_description: str = "column",
    title: str | None = None,
    size: int | None = None,
) -> Explorer:
    """Two sliders over a table ``frames[row][column]``: the first picks the row, the
    second the column."""
    if len(frames) != len(row_labels):
        raise ValueError(f"got {len(row_labels)} row labels for {len(frames)} rows")
    if len(frames) == 0:
        raise ValueError("an explorer needs at least one frame")
    table = []
    for row, row_label in zip(frames, row_labels):
        if len(row) != len(column_labels):
            raise ValueError(f"every row needs {len(column_labels)} frames, got one with {len(row)}")
        table += [_frame(frame, size, f"{row_description} {row_label}, {column_description} {column_label}")
                  for frame, column_label in zip(row, column_labels)]
    panel = Panel([row_description, column_description], [list(map(str, row_labels)), list(map(str, column_labels))],
                  [len(row_labels), len(column_labels)], table)
    return Explorer({"": panel}, title)


def choice_explorer(options: dict, description: str = "preset", title: str | None = None) -> Explorer:
    """Buttons that switch between whole explorers, one per option (each a single
    panel)."""
    if not options:
        raise ValueError("choice_explorer needs at least one option")
    panels = {}
    for option, explorer in options.items():
        if not isinstance(explorer, Explorer) or len(explorer.panels) != 1:
            raise TypeError(f"option {option!r}: give a slider_explorer or grid_explorer, got {explorer!r}")
        panels[str(option)] = next(iter(explorer.panels.values()))
    return Explorer(panels, title, choice=description)


def latent_walk_explorer(generator, seed: int, pairs: int, size: int | None = None, title: str | None = None, steps: int = 9):
    """Buttons for ``pairs`` walks between two random codes of ``generator`` (drawn with
    ``seed``), each a slider over ``steps`` images along the great circle between
    them."""
    import torch

    codes = generator.sample_latents(2 * pairs, torch.Generator().manual_seed(seed))
    labels = [f"t = {t:.2f}" for t in torch.linspace(0, 1, steps).tolist()]
    walks = {
        f"walk {number + 1}": slider_explorer(
            [image_grid(frame.unsqueeze(0), nrow=1) for frame in walk(generator, codes[2 * number], codes[2 * number + 1], steps)],
            labels=labels, description="position along the walk", size=size,
        )
        for number in range(pairs)
    }
    return choice_explorer(walks, description="walk", title=title)
