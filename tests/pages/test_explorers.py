import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from vaegan.pages import explorers  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_to_png_accepts_the_usual_image_types():
    figure = plt.figure(figsize=(1, 1))
    for frame in [torch.rand(1, 28, 28), torch.rand(3, 8, 8), np.random.rand(8, 8), np.random.rand(8, 8, 3),
                  Image.new("RGB", (4, 4)), figure]:
        assert explorers.to_png(frame).startswith(PNG_SIGNATURE)
    assert not plt.get_fignums(), "the figure should be closed after rendering"
    enlarged = Image.open(__import__("io").BytesIO(explorers.to_png(torch.rand(28, 28), size=112)))
    assert enlarged.size == (112, 112)
    with pytest.raises(ValueError, match="shape"):
        explorers.to_png(np.zeros((2, 2, 2, 2)))


def links_of(widget):
    """Every jslink in the widget registry that touches one of `widget`'s descendants."""
    ids = set()

    def walk(w):
        ids.add(w.model_id)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(widget)
    from ipywidgets.widgets.widget import _instances
    from ipywidgets.widgets.widget_link import Link

    return [w for w in list(_instances.values()) if isinstance(w, Link) and w.source[0].model_id in ids]


def test_slider_explorer_links_slider_to_frames_in_the_browser():
    frames = [torch.full((8, 8), value) for value in (0.0, 0.5, 1.0)]
    explorer = explorers.slider_explorer(frames, labels=["a", "b", "c"], title="demo")
    assert explorers.EXPLORER_CLASS in explorer._dom_classes
    stacks = [w for w in explorer.children[1:] if isinstance(w, widgets.Stack)]
    assert len(stacks) == 1 and len(stacks[0].children) == 3
    # Two links: slider -> image stack, slider -> caption stack. jslink runs in the browser, no kernel needed.
    assert len(links_of(explorer)) == 2
    with pytest.raises(ValueError, match="labels"):
        explorers.slider_explorer(frames, labels=["a"])
    with pytest.raises(ValueError, match="at least one frame"):
        explorers.slider_explorer([])


def test_grid_explorer_uses_nested_stacks():
    table = [[torch.rand(4, 4) for _ in range(3)] for _ in range(2)]
    explorer = explorers.grid_explorer(table, ["r0", "r1"], ["c0", "c1", "c2"])
    outer = explorer.children[-1]
    assert isinstance(outer, widgets.Stack) and len(outer.children) == 2
    assert all(len(row.children) == 3 for row in outer.children)
    # row slider -> table, column slider -> each row, plus the two caption links
    assert len(links_of(explorer)) == 1 + 2 + 2
    with pytest.raises(ValueError, match="every row"):
        explorers.grid_explorer([[torch.rand(4, 4)], [torch.rand(4, 4)] * 2], ["a", "b"], ["c"])


def test_choice_explorer_marks_only_the_outer_widget():
    inner = {name: explorers.slider_explorer([torch.rand(4, 4)] * 2) for name in ("one", "two")}
    explorer = explorers.choice_explorer(inner)
    assert explorers.EXPLORER_CLASS in explorer._dom_classes
    assert all(explorers.EXPLORER_CLASS not in child._dom_classes for child in inner.values())
    with pytest.raises(ValueError):
        explorers.choice_explorer({})


def _alts_in(widget):
    import re

    if isinstance(widget, widgets.HTML) and "<img" in widget.value:
        yield re.search(r'alt="([^"]*)"', widget.value).group(1)
    for child in getattr(widget, "children", ()):
        yield from _alts_in(child)


def test_every_frame_says_which_frame_it_is_and_every_slider_what_it_moves():
    frames = [torch.rand(1, 8, 8) for _ in range(3)]
    single = explorers.slider_explorer(frames, labels=["a", "b", "c"], description="training step", title="Training")
    assert list(_alts_in(single)) == [f"Training: training step {label}" for label in "abc"]
    grid = explorers.grid_explorer([frames[:2], frames[1:]], ["r0", "r1"], ["c0", "c1"], "code[0]", "code[1]", title="Grid")
    assert "Grid: code[0] r1, code[1] c0" in list(_alts_in(grid))
    chosen = explorers.choice_explorer({"first": explorers.slider_explorer(frames, description="t")}, title="Walks")
    assert list(_alts_in(chosen))[0] == "Walks, first: t 1 of 3"
    slider = single.children[1].children[0]
    assert isinstance(slider, widgets.IntSlider) and slider.description == "training step"
