"""The introduction's gallery is drawn from the committed models, with fixed seeds."""

import pytest

from vaegan.core.checkpoints import PRETRAINED, available_checkpoints
from vaegan.pages import gallery


def test_every_gallery_model_is_committed():
    missing = [name for name, *_ in gallery.GALLERY if name not in available_checkpoints(PRETRAINED)]
    assert not missing, f"the gallery names checkpoints that are not committed: {missing}"


def test_write_gallery_draws_the_same_png_twice_and_leaves_nothing_half_written(tmp_path):
    from PIL import Image

    first = gallery.write_gallery(tmp_path / "a" / "gallery.png")
    second = gallery.write_gallery(tmp_path / "b" / "gallery.png")
    with Image.open(first) as image:
        width, height = image.size
    # five rows at twice the page size: digits at 2 x 28 page pixels, so at least 12 x 112 pixels wide
    assert width >= 12 * 112 and height > 5 * 112
    assert first.read_bytes() == second.read_bytes(), "fixed seeds: the gallery must not change between builds"
    assert sorted(p.name for p in first.parent.iterdir()) == ["gallery.png"]


def test_a_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(Exception, match="no pretrained checkpoint 'vae'"):
        gallery.write_gallery(tmp_path / "gallery.png", folder=tmp_path)
    assert not (tmp_path / "gallery.png").exists()
