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
