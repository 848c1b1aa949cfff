"""vaegan.pages.live: networks exported for the browser, and the latent-plane explorer's page data."""

import json
import re

import pytest
import torch

from vaegan.autoencoders.models import VAE
from vaegan.pages import live


def _background():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(3.4, 3.4))
    figure.add_axes([0, 0, 1, 1])
    return figure


def _config(page: str) -> dict:
    import html

    return json.loads(html.unescape(re.search(r"data-config='([^']*)'", page).group(1)))


def test_the_explorer_exports_its_decoder_and_stores_pytorchs_pixels_for_the_browser_to_match(tmp_path):
    import onnx

    torch.manual_seed(0)
    model = VAE().eval()
    origin, directions = torch.zeros(model.latent_size), torch.eye(model.latent_size)[:2]
    page = live.latent_plane_explorer("plane", model, origin, directions, _background(), steps=3, checks=2,
                                      folder=tmp_path / "live").data
    exported = onnx.load(str(tmp_path / "live" / "plane.onnx"))
    assert [i.name for i in exported.graph.input] == ["code"] and [o.name for o in exported.graph.output] == ["pixels"]
    assert 'data-model="../../_static/live/plane.onnx"' in page and "ort.wasm.min.js" in page
    config = _config(page)
    codes = torch.tensor(config["checks"]["codes"])
    assert codes.shape == (2, model.latent_size)
    # the stored pixels are the decoder's own, in [0, 1]: what the browser test compares against
    expected = live.DecodeToPixels(model)(codes).flatten(1)
    torch.testing.assert_close(torch.tensor(config["checks"]["pixels"]), expected, atol=1e-6, rtol=0)
    # in the site the frames and the plane are files beside the network, not data in the page
    assert config["frames"]["steps"] == 3 and config["frames"]["sprite"].startswith("../../_static/frames/")
    assert "data:image" not in page and len(list((tmp_path / "frames").glob("*.png"))) == 2
    assert not list(tmp_path.rglob(".*partial"))


def test_outside_the_site_the_explorer_keeps_to_its_frames(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ../assets/vaegan.css here: not the book's source tree
    assert live.site_folder() is None
    model = VAE().eval()
    page = live.latent_plane_explorer("plane", model, torch.zeros(model.latent_size),
                                      torch.eye(model.latent_size)[:2], _background(), steps=2, checks=1).data
    assert 'data-model=""' in page and not list(tmp_path.rglob("*.onnx"))


def test_bad_planes_and_models_are_refused():
    model = VAE().eval()
    with pytest.raises(ValueError, match="directions"):
        live.latent_plane_explorer("p", model, torch.zeros(model.latent_size), torch.eye(3), _background())
    with pytest.raises(ValueError, match="extent"):
        live.latent_plane_explorer("p", model, torch.zeros(model.latent_size), torch.eye(model.latent_size)[:2],
                                   _background(), extent=0)
    with pytest.raises(TypeError, match="decode_latents"):
        live.DecodeToPixels(torch.nn.Linear(2, 2))
