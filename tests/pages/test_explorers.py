import base64
import html
import io
import json
import re

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


def config_of(page: str) -> list:
    """The panels' configuration an explorer's HTML carries (sliders' shapes, labels, frames)."""
    found = re.search(r'data-explorer="([^"]*)"', page)
    assert found, "the explorer's HTML carries no configuration"
    return json.loads(html.unescape(found.group(1)))


def test_slider_explorer_is_plain_html_with_its_script_and_every_frame():
    frames = [torch.full((8, 8), value) for value in (0.0, 0.5, 1.0)]
    explorer = explorers.slider_explorer(frames, labels=["a", "b", "c"], title="demo")
    page = explorer.to_html(folder=None)
    assert f'class="{explorers.EXPLORER_CLASS}"' in page and "window.vaeganExplorers" in page
    assert page.count('type="range"') == 1 and "<b>demo</b>" in page
    [panel] = config_of(page)
    assert panel["shape"] == [3] and panel["labels"] == [["a", "b", "c"]]
    # outside the site the frames travel as data URLs, each a real PNG of its frame
    pixels = [np.asarray(Image.open(io.BytesIO(base64.b64decode(frame[0].split(",", 1)[1])))) for frame in panel["frames"]]
    assert [round(p.mean()) for p in pixels] == [0, 128, 255]
    with pytest.raises(ValueError, match="labels"):
        explorers.slider_explorer(frames, labels=["a"])
    with pytest.raises(ValueError, match="at least one frame"):
        explorers.slider_explorer([])


def test_inside_the_site_frames_are_files_and_the_page_holds_only_their_addresses(tmp_path):
    frames = [torch.rand(8, 8) for _ in range(4)]
    explorer = explorers.slider_explorer(frames + frames[:1], description="t")
    page = explorer.to_html(folder=tmp_path)
    assert "data:image" not in page
    [panel] = config_of(page)
    addresses = [frame[0] for frame in panel["frames"]]
    assert all(a.startswith(explorers.SITE_FRAMES + "/") for a in addresses)
    assert addresses[0] == addresses[-1], "the same frame is one file"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({a.rsplit("/", 1)[1] for a in addresses})
    # only the first frame is named by the image itself: the rest load when the reader moves there
    assert page.count("<img") == 1 and f'src="{addresses[0]}"' in page
    # the book's source tree is recognised by its stylesheet; anywhere else there is no site folder
    (tmp_path / "book" / "assets").mkdir(parents=True)
    (tmp_path / "book" / "assets" / "vaegan.css").write_text("")
    (tmp_path / "book" / "chapters").mkdir()
    assert explorers.site_assets("frames", tmp_path / "book" / "chapters") == tmp_path / "book" / "assets" / "frames"
    assert explorers.site_assets("frames", tmp_path) is None


def test_grid_explorer_orders_frames_row_by_row():
    table = [[torch.full((4, 4), (3 * r + c) / 8) for c in range(3)] for r in range(2)]
    explorer = explorers.grid_explorer(table, ["r0", "r1"], ["c0", "c1", "c2"], "row", "col", title="Grid")
    [panel] = config_of(explorer.to_html(folder=None))
    assert panel["shape"] == [2, 3] and len(panel["frames"]) == 6
    assert panel["frames"][4][1] == "Grid: row r1, col c1"  # index = row * columns + column
    assert explorer.to_html(folder=None).count('type="range"') == 2
    with pytest.raises(ValueError, match="every row"):
        explorers.grid_explorer([[torch.rand(4, 4)], [torch.rand(4, 4)] * 2], ["a", "b"], ["c"])


def test_choice_explorer_shows_one_panel_and_names_frames_after_their_option():
    inner = {name: explorers.slider_explorer([torch.rand(4, 4)] * 2, description="t") for name in ("one", "two")}
    explorer = explorers.choice_explorer(inner, description="walk", title="Walks")
    page = explorer.to_html(folder=None)
    assert page.count(f'class="{explorers.EXPLORER_CLASS}"') == 1
    assert page.count("<button") == 2 and 'aria-pressed="true"' in page
    assert page.count('class="vaegan-explorer-panel"') == 2 and page.count(" hidden>") == 1
    panels = config_of(page)
    assert panels[1]["frames"][0][1] == "Walks, two: t 1 of 2"
    with pytest.raises(ValueError):
        explorers.choice_explorer({})
    with pytest.raises(TypeError, match="option 'x'"):
        explorers.choice_explorer({"x": explorer})  # already a choice of two panels


def test_figures_are_drawn_at_twice_their_page_size_and_arrays_stay_pixelated():
    figure = plt.figure(figsize=(2, 1), dpi=100)
    figure.add_subplot().plot([0, 1])
    explorer = explorers.slider_explorer([figure], description="t")
    page = explorer.to_html(folder=None)
    [panel] = config_of(page)
    source, alt, width, height = panel["frames"][0]
    drawn = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
    assert drawn.width == pytest.approx(2 * width, abs=2) and f'width="{width}"' in page
    assert "vaegan-pixels" not in page
    assert "vaegan-pixels" in explorers.slider_explorer([torch.rand(8, 8)], size=64).to_html(folder=None)
