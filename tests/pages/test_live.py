"""vaegan.pages.live: networks exported for the browser, and the latent-plane explorer's page data."""

import json
import re

import pytest
import torch

from vaegan.autoencoders.models import VAE
from vaegan.pages import live

from .test_live_widget import _background, _config


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


def test_the_drawing_explorer_exports_encoder_and_decoder_and_stores_pytorchs_outputs(tmp_path):
    import onnx

    torch.manual_seed(0)
    model = VAE().eval()
    presets = torch.rand(3, 1, 28, 28)
    page = live.draw_digit_explorer("drawing", model, presets, labels=["a", "b", "c"], samples=2,
                                    folder=tmp_path / "live").data
    exported = onnx.load(str(tmp_path / "live" / "drawing.onnx"))
    assert [i.name for i in exported.graph.input] == ["pixels", "noise"]
    assert [o.name for o in exported.graph.output] == ["mean", "spread", "reconstruction", "samples"]
    assert 'data-kind="draw-digit"' in page and page.count("data-preset=") == 3 and "data:image" not in page
    config = _config(page)
    assert len(config["presets"]) == 3 and all(p["strip"].startswith("../../_static/frames/") for p in config["presets"])
    # the stored outputs are PyTorch's for the first preset (8-bit, as the page reads it) and the stored noise
    pixels = (presets[:1] * 255).round() / 255
    noise = torch.tensor(config["checks"]["noise"])[None]
    mean, spread, reconstruction, samples = live.EncodeToPixels(model)(pixels, noise)
    assert noise.shape == (1, 2, model.latent_size)
    for name, expected in [("mean", mean), ("spread", spread), ("reconstruction", reconstruction), ("samples", samples)]:
        torch.testing.assert_close(torch.tensor(config["checks"][name]), expected[0].flatten() if name in ("reconstruction", "samples") else expected[0], atol=1e-6, rtol=0)
    # a posterior sample is the decoded mu + sigma * eps
    mu, log_sigma = model.encoder(model_input := (pixels - 0.1307) / 0.3081)
    torch.testing.assert_close(samples[0, 1], model.to_pixels(model.decoder(mu + log_sigma.exp() * noise[:, 1]))[0], atol=1e-5, rtol=0)
    assert model_input.shape == (1, 1, 28, 28)


def test_the_drawing_explorer_refuses_what_it_cannot_show():
    model = VAE().eval()
    with pytest.raises(TypeError, match="not a VAE"):
        live.draw_digit_explorer("d", __import__("vaegan").autoencoders.models.Autoencoder(), torch.rand(1, 1, 28, 28))
    with pytest.raises(ValueError, match="presets"):
        live.draw_digit_explorer("d", model, torch.rand(1, 28, 28))
    with pytest.raises(ValueError, match="labels"):
        live.draw_digit_explorer("d", model, torch.rand(2, 1, 28, 28), labels=["one"])


def test_the_walk_explorer_stores_the_walks_codes_and_pytorchs_images_along_them(tmp_path):
    from vaegan.gans.models import DCGANGenerator
    from vaegan.gans.walks import slerp_at

    torch.manual_seed(0)
    generator = DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(3, 16, 16)).eval()
    page = live.latent_walk_explorer("walk", generator, seed=3, pairs=2, steps=3, folder=tmp_path / "live").data
    assert (tmp_path / "live" / "walk.onnx").exists() and 'data-kind="latent-walk"' in page
    assert page.count("data-walk=") == 2 and 'type="range"' in page and "data:image" not in page
    config = _config(page)
    codes = generator.sample_latents(4, torch.Generator().manual_seed(3))
    torch.testing.assert_close(torch.tensor(config["pairs"]), codes.reshape(2, 2, 8))
    assert config["size"] == [3, 16, 16]
    # the stored codes lie on the walks, and the stored pixels are the generator's for them
    first = torch.tensor(config["checks"]["codes"][0])
    torch.testing.assert_close(first, slerp_at(codes[0], codes[1], 0.37), atol=1e-6, rtol=0)
    expected = live.DecodeToPixels(generator)(torch.tensor(config["checks"]["codes"])).flatten(1)
    torch.testing.assert_close(torch.tensor(config["checks"]["pixels"]), expected, atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="pairs"):
        live.latent_walk_explorer("walk", generator, seed=3, pairs=0)


def test_every_explorer_gives_the_model_back_in_the_mode_it_had(tmp_path):
    from vaegan.gans.models import DCGANGenerator

    for training in (True, False):
        generator = DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(1, 16, 16)).train(training)
        live.latent_walk_explorer("walk", generator, seed=3, pairs=1, steps=2, folder=tmp_path / "live")
        live.latent_plane_explorer("plane", generator, torch.zeros(8), torch.eye(8)[:2], _background(), steps=2,
                                   folder=tmp_path / "live")
        assert generator.training is training
        vae = VAE().train(training)
        live.draw_digit_explorer("drawing", vae, torch.rand(1, 1, 28, 28), folder=tmp_path / "live")
        assert vae.training is training


def test_the_completion_explorer_exports_the_pixelcnn_and_precomputes_completions(tmp_path):
    import onnx

    from vaegan.autoregressive.models import PixelCNN

    torch.manual_seed(0)
    model = PixelCNN(channels=8, layers=1).eval()
    digits = (torch.rand(2, 1, 28, 28) > 0.7).float()
    page = live.completion_explorer("completion", model, digits, labels=["a", "b"], given_rows=14, completions=2,
                                    folder=tmp_path / "live").data
    exported = onnx.load(str(tmp_path / "live" / "completion.onnx"))
    assert [i.name for i in exported.graph.input] == ["pixels"] and [o.name for o in exported.graph.output] == ["probabilities"]
    # any number of rows goes in (the page feeds the band of rows a pixel can see), and the band's
    # probabilities for its last row are the whole image's
    assert exported.graph.input[0].type.tensor_type.shape.dim[2].dim_param == "rows"
    band = digits[:1, :, 14 - model.reach : 15]
    torch.testing.assert_close(torch.sigmoid(model.band_logits(band))[..., -1, :], torch.sigmoid(model(digits[:1]))[..., 14, :])
    config = _config(page)
    assert config["given"] == 14 and config["reach"] == model.reach and len(config["presets"]) == 2 and page.count("vaegan-live-completion") >= 2
    # the given rows travel as bits; the stored probabilities are the network's for the first digit
    assert config["presets"][1]["top"] == "".join(str(int(v)) for v in digits[1, 0, :14].flatten().tolist())
    expected = torch.sigmoid(model(digits[:1])).flatten()
    torch.testing.assert_close(torch.tensor(config["checks"]["probabilities"]), expected, atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="binary"):
        live.completion_explorer("c", model, torch.rand(1, 1, 28, 28))
    with pytest.raises(ValueError, match="given_rows"):
        live.completion_explorer("c", model, digits, given_rows=28)
    with pytest.raises(TypeError, match="PixelCNN"):
        live.completion_explorer("c", VAE(), digits)
