"""Explorers: interactive figures that work with or without a kernel.

Every frame an explorer can show is computed in Python beforehand and becomes an
``ipywidgets.Image``; the frames sit in a ``Stack`` (one child visible), and
``jslink`` ties a slider's value to the stack's selected index *in the browser*.
So the explorer responds in Jupyter and Colab, and equally on the book's static
pages, where myst-nb saved the widget state into the HTML and no kernel runs.

Each explorer is one function call from a chapter and returns a widget to display:

* :func:`slider_explorer`: one slider over a list of frames (training steps,
  interpolation coefficient, a sweep of beta).
* :func:`grid_explorer`: two sliders over a 2D table of frames (two latent
  directions).
* :func:`choice_explorer`: buttons that switch between whole explorers (presets).

Every returned widget carries the CSS class ``vaegan-explorer``; the browser test
finds explorers by it.

Every frame is an ``<img>`` whose ``alt`` says which frame it is, and every slider is named by
its ``description``; on the static pages the site's ``explorer-a11y.js`` gives each slider
handle that name and the frame's label as the value a screen reader announces.
"""

from __future__ import annotations

import io
from typing import Sequence

import numpy as np

from vaegan.gans.walks import walk
from vaegan.pages.plotting import image_grid

__all__ = ["to_png", "slider_explorer", "grid_explorer", "choice_explorer", "EXPLORER_CLASS"]

EXPLORER_CLASS = "vaegan-explorer"


def to_png(frame, size: int | None = None) -> bytes:
    """PNG bytes from a matplotlib figure, a PIL image, PNG bytes, or an image
    array/tensor shaped ``(h, w)``, ``(c, h, w)`` or ``(h, w, c)`` with values in [0, 1].

    ``size`` enlarges small images (the longer side, nearest-neighbour, so pixels stay crisp).
    A figure is closed after rendering, so a loop of frames leaves no figures open.
    """
    from PIL import Image

    if isinstance(frame, (bytes, bytearray)):
        return bytes(frame)
    if hasattr(frame, "savefig"):
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        frame.savefig(buffer, format="png", bbox_inches="tight", dpi=frame.dpi)
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


def _images(frames: Sequence, size: int | None, descriptions: Sequence[str]):
    """One widget per frame: the PNG as an ``<img>`` with its text alternative. (An ``ipywidgets.Image``
    cannot carry an ``alt``, and its ``tooltip`` breaks the static page's widget manager.)"""
    import base64
    import html

    import ipywidgets as widgets

    if len(frames) == 0:
        raise ValueError("an explorer needs at least one frame")
    return [
        widgets.HTML(
            f'<img class="vaegan-frame" src="data:image/png;base64,{base64.b64encode(to_png(frame, size)).decode()}" '
            f'alt="{html.escape(description, quote=True)}">'
        )
        for frame, description in zip(frames, descriptions)
    ]


def _frame_names(what: str | None, description: str, labels: Sequence[str] | None, count: int) -> list[str]:
    """``"<what>: <description> <label>"`` for every frame (``frame k of n`` when there are no labels)."""
    values = labels if labels is not None else [f"{index + 1} of {count}" for index in range(count)]
    return [f"{what or 'Explorer'}: {description} {value}" for value in values]


def _slider(count: int, description: str, labels: Sequence[str] | None):
    import ipywidgets as widgets

    slider = widgets.IntSlider(
        value=0,
        min=0,
        max=count - 1,
        step=1,
        description=description,
        continuous_update=True,
        readout=labels is None,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"),
    )
    if labels is None:
        return slider, None
    if len(labels) != count:
        raise ValueError(f"got {len(labels)} labels for {count} frames")
    captions = widgets.Stack([widgets.HTML(f"<code>{label}</code>") for label in labels], selected_index=0)
    widgets.jslink((slider, "value"), (captions, "selected_index"))
    return slider, captions


def _finish(box, title: str | None):
    import ipywidgets as widgets

    if title:
        box.children = (widgets.HTML(f"<b>{title}</b>"), *box.children)
    box.add_class(EXPLORER_CLASS)
    return box


def slider_explorer(
    frames: Sequence,
    labels: Sequence[str] | None = None,
    description: str = "step",
    title: str | None = None,
    size: int | None = None,
):
    """One slider over ``frames``; ``labels`` (one per frame) replace the numeric readout."""
    import ipywidgets as widgets

    stack = widgets.Stack(_images(frames, size, _frame_names(title, description, labels, len(frames))), selected_index=0)
    slider, captions = _slider(len(frames), description, labels)
    widgets.jslink((slider, "value"), (stack, "selected_index"))
    controls = widgets.HBox([slider, captions] if captions is not None else [slider])
    return _finish(widgets.VBox([controls, stack]), title)


def grid_explorer(
    frames: Sequence[Sequence],
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    row_description: str = "row",
    column_description: str = "column",
    title: str | None = None,
    size: int | None = None,
):
    """Two sliders over a table ``frames[row][column]``.

    A link can only copy a value, not compute ``row * columns + column``, so the
    table is a stack of rows, each row a stack of frames, and the column slider
    is linked to every row's stack.
    """
    import ipywidgets as widgets

    if len(frames) != len(row_labels):
        raise ValueError(f"got {len(row_labels)} row labels for {len(frames)} rows")
    row_slider, row_captions = _slider(len(frames), row_description, row_labels)
    column_slider, column_captions = _slider(len(frames[0]), column_description, column_labels)
    rows = []
    for row, row_label in zip(frames, row_labels):
        if len(row) != len(column_labels):
            raise ValueError(f"every row needs {len(column_labels)} frames, got one with {len(row)}")
        names = [f"{title or 'Explorer'}: {row_description} {row_label}, {column_description} {column_label}" for column_label in column_labels]
        row_stack = widgets.Stack(_images(row, size, names), selected_index=0)
        widgets.jslink((column_slider, "value"), (row_stack, "selected_index"))
        rows.append(row_stack)
    table = widgets.Stack(rows, selected_index=0)
    widgets.jslink((row_slider, "value"), (table, "selected_index"))
    controls = widgets.VBox(
        [widgets.HBox([row_slider, row_captions]), widgets.HBox([column_slider, column_captions])]
    )
    return _finish(widgets.VBox([controls, table]), title)


def choice_explorer(options: dict, description: str = "preset", title: str | None = None):
    """Buttons that switch between whole explorers (or any widgets), one per option."""
    import ipywidgets as widgets

    if not options:
        raise ValueError("choice_explorer needs at least one option")
    buttons = widgets.ToggleButtons(
        options=list(options), description=description, index=0, style={"button_width": "auto"}
    )
    children = list(options.values())
    for option, child in options.items():
        child.remove_class(EXPLORER_CLASS)  # the outer widget is the explorer
        _prefix_frame_names(child, f"{title or description}, {option}")
    stack = widgets.Stack(children, selected_index=0)
    widgets.jslink((buttons, "index"), (stack, "selected_index"))
    return _finish(widgets.VBox([buttons, stack]), title)


def _prefix_frame_names(widget, name: str) -> None:
    """Replace the generic "Explorer" at the start of every frame's text alternative below ``widget``."""
    import html

    import ipywidgets as widgets

    generic = 'alt="Explorer: '
    if isinstance(widget, widgets.HTML) and generic in widget.value:
        widget.value = widget.value.replace(generic, f'alt="{html.escape(name, quote=True)}: ')
    for child in getattr(widget, "children", ()):
        _prefix_frame_names(child, name)


def latent_walk_explorer(generator, seed: int, pairs: int, size: int | None = None, title: str | None = None, steps: int = 9):
    """Buttons for ``pairs`` walks between two random codes of ``generator`` (drawn with ``seed``),
    each a slider over ``steps`` images along the great circle between them."""
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
