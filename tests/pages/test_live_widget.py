"""vaegan.pages.live_widget: the live explorers in a notebook, their networks run by the kernel.

The requests here are the ones the widget's script (live_widget.js) sends: the inputs' names and
shapes, and one float32 buffer per input. The last test sends them through a real Jupyter kernel's
comm channel, as JupyterLab or Colab does; tests/test_browser.py drives the script itself in
Chromium."""

import json
import os
import re

import numpy as np
import pytest
import torch

from vaegan.autoencoders.models import VAE
from vaegan.pages import live
from vaegan.pages.live_widget import KernelNetwork, LiveWidget



def _background(size: float = 3.4):
    """A blank figure for a plane explorer's background (shared with test_live.py; defined here
    because the Colab-path test runs this file outside its package)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(size, size))
    figure.add_axes([0, 0, 1, 1])
    return figure


def _config(markup: str) -> dict:
    import html

    return json.loads(html.unescape(re.search(r"data-config='([^']*)'", markup).group(1)))


@pytest.fixture
def in_a_kernel(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not the book's source tree: no site folder
    monkeypatch.setattr(live, "_in_kernel", lambda: True)


def _ask(widget: LiveWidget, feeds: dict[str, torch.Tensor], request="r-1"):
    """Send ``feeds`` as the widget's script does; return the reply and its outputs as tensors."""
    sent = []
    widget.send = lambda content, buffers=None: sent.append((content, buffers))
    content = {"id": request, "names": list(feeds), "dims": [list(t.shape) for t in feeds.values()]}
    widget._on_request(widget, content, [memoryview(t.float().numpy().tobytes()) for t in feeds.values()])
    [(reply, buffers)] = sent
    assert reply["id"] == request
    if "error" in reply:
        return reply, None
    outputs = {name: torch.from_numpy(np.frombuffer(buffer, dtype=np.float32).copy()).reshape(dims)
               for name, dims, buffer in zip(reply["names"], reply["dims"], buffers)}
    return reply, outputs


def test_in_a_kernel_the_plane_is_a_widget_whose_network_runs_in_pytorch(in_a_kernel):
    torch.manual_seed(0)
    model = VAE().train()
    origin, directions = torch.zeros(model.latent_size), torch.eye(model.latent_size)[:2]
    widget = live.latent_plane_explorer("plane", model, origin, directions, _background(), steps=3, checks=2)
    assert isinstance(widget, LiveWidget)
    # the website's markup, with no network file, and a status line that says where it runs
    assert 'data-model=""' in widget.markup and "<script>" not in widget.markup
    config = _config(widget.markup)
    assert "this notebook's kernel" in config["liveText"] and config["shape"] == [1, 28, 28]
    assert "window.vaeganLive" in widget.script and widget.script == live.SCRIPT.read_text()
    # a renderer without widgets gets the explorer on its frames (the HTML with its script)
    data, _ = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data and "<script>" in data["text/html"]
    # the stored checks, decoded by the kernel, are PyTorch's pixels (to the page's 6 decimals)
    codes = torch.tensor(config["checks"]["codes"])
    reply, outputs = _ask(widget, {"code": codes})
    assert reply["names"] == ["pixels"] and reply["dims"] == [[2, 1, 28, 28]]
    torch.testing.assert_close(outputs["pixels"].flatten(1), torch.tensor(config["checks"]["pixels"]), atol=1e-6, rtol=0)
    # in evaluation mode while it answered, and the model's own mode given back
    assert model.training and widget.answered == 1


def test_a_face_plane_decodes_colour(in_a_kernel):
    from vaegan.gans.models import DCGANGenerator

    generator = DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(3, 16, 16)).eval()
    widget = live.latent_plane_explorer("faces", generator, torch.zeros(8), torch.eye(8)[:2], _background(), steps=2)
    config = _config(widget.markup)
    assert config["shape"] == [3, 16, 16]
    _, outputs = _ask(widget, {"code": torch.tensor(config["checks"]["codes"])})
    assert outputs["pixels"].shape == (4, 3, 16, 16)


def test_every_explorer_kind_answers_with_its_networks_outputs(in_a_kernel):
    from vaegan.autoregressive.models import PixelCNN
    from vaegan.gans.models import DCGANGenerator

    torch.manual_seed(0)
    vae = VAE().eval()
    drawing = live.draw_digit_explorer("drawing", vae, torch.rand(2, 1, 28, 28), samples=2)
    checks = _config(drawing.markup)["checks"]
    reply, outputs = _ask(drawing, {"pixels": torch.rand(1, 1, 28, 28), "noise": torch.tensor([checks["noise"]])})
    assert reply["names"] == ["mean", "spread", "reconstruction", "samples"]
    assert outputs["samples"].shape == (1, 2, 1, 28, 28) and bool((outputs["spread"] > 0).all())

    generator = DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(1, 16, 16)).eval()
    walk = live.latent_walk_explorer("walk", generator, seed=1, pairs=1, steps=2)
    walk_checks = _config(walk.markup)["checks"]
    _, outputs = _ask(walk, {"code": torch.tensor(walk_checks["codes"])})
    torch.testing.assert_close(outputs["pixels"].flatten(1), torch.tensor(walk_checks["pixels"]), atol=1e-6, rtol=0)

    pixelcnn = PixelCNN(channels=8, layers=1).eval()
    digits = (torch.rand(2, 1, 28, 28) > 0.5).float()
    completion = live.completion_explorer("completion", pixelcnn, digits, completions=1)
    completion_checks = _config(completion.markup)["checks"]
    _, outputs = _ask(completion, {"pixels": torch.tensor(completion_checks["pixels"]).reshape(1, 1, 28, 28)})
    torch.testing.assert_close(outputs["probabilities"].flatten(), torch.tensor(completion_checks["probabilities"]),
                               atol=1e-6, rtol=0)
    # the page feeds a band of rows (the model's reach): any number of rows goes through
    _, outputs = _ask(completion, {"pixels": digits[:, :, :5]})
    assert outputs["probabilities"].shape == (2, 1, 5, 28)


def test_a_bad_request_gets_an_error_reply_and_the_widget_keeps_answering(in_a_kernel):
    model = VAE().eval()
    widget = live.latent_plane_explorer("plane", model, torch.zeros(model.latent_size),
                                        torch.eye(model.latent_size)[:2], _background(), steps=2)
    reply, _ = _ask(widget, {"pixels": torch.zeros(1, model.latent_size)})
    assert "takes the inputs ['code']" in reply["error"]
    sent = []
    widget.send = lambda content, buffers=None: sent.append(content)
    widget._on_request(widget, {"id": 7, "names": ["code"], "dims": [[1, 999]]}, [b"\0" * 8])
    assert sent[0]["id"] == 7 and "do not fill the shape" in sent[0]["error"]
    reply, outputs = _ask(widget, {"code": torch.zeros(1, model.latent_size)})
    assert outputs["pixels"].shape == (1, 1, 28, 28)


def test_outside_a_kernel_and_outside_the_site_the_explorer_is_html_on_frames(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = VAE().eval()
    page = live.latent_plane_explorer("plane", model, torch.zeros(model.latent_size),
                                      torch.eye(model.latent_size)[:2], _background(), steps=2)
    assert not isinstance(page, LiveWidget) and "<script>" in page.data and "in your browser" in page.data


def test_the_kernel_network_checks_its_names():
    network = KernelNetwork(torch.nn.Identity(), ["x"], ["y", "z"])
    with pytest.raises(ValueError, match="gave 1 outputs"):
        network.run(["x"], [[1, 2]], [np.zeros(2, np.float32).tobytes()])


KERNEL_CODE = """
import torch
from vaegan.autoencoders.models import VAE
from vaegan.pages import live
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
torch.manual_seed(0)
model = VAE().eval()
background = plt.figure(figsize=(2, 2))
widget = live.latent_plane_explorer("plane", model, torch.zeros(model.latent_size),
                                    torch.eye(model.latent_size)[:2], background, steps=2, checks=1)
display(widget)
print(type(widget).__name__, widget.model_id)
"""


def test_through_a_real_kernels_comm_channel():
    """What JupyterLab or Colab does: run the chapter's call in a kernel, open the widget's comm,
    send a request with its buffers, and read the reply on the kernel's output channel.
    VAEGAN_TEST_KERNEL names another kernel (the Colab-path test runs this in its own)."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=os.environ.get("VAEGAN_TEST_KERNEL", "python3"),
                                       startup_timeout=120)
    try:
        message_id = client.execute(KERNEL_CODE)
        model_id, state, printed = None, {}, ""
        while True:
            message = client.get_iopub_msg(timeout=120)
            kind, content = message["msg_type"], message["content"]
            if kind == "comm_open" and content["data"].get("state", {}).get("_view_name") == "AnyView":
                model_id, state = content["comm_id"], content["data"]["state"]
            elif kind == "stream":
                printed += content["text"]
            elif kind == "error":
                pytest.fail("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle" and message["parent_header"].get("msg_id") == message_id:
                break
        assert printed.split() == ["LiveWidget", model_id], printed
        config = _config(state["markup"])
        codes = torch.tensor(config["checks"]["codes"])
        request = {"id": "view-1", "names": ["code"], "dims": [list(codes.shape)]}
        client.session.send(client.shell_channel.socket, "comm_msg",
                            {"comm_id": model_id, "data": {"method": "custom", "content": request}},
                            buffers=[codes.float().numpy().tobytes()])
        while True:
            message = client.get_iopub_msg(timeout=60)
            if message["msg_type"] == "comm_msg" and message["content"]["data"].get("method") == "custom":
                break
        reply = message["content"]["data"]["content"]
        assert reply["id"] == "view-1" and reply["names"] == ["pixels"], reply
        pixels = np.frombuffer(message["buffers"][0], dtype=np.float32)
        assert np.abs(pixels - np.array(config["checks"]["pixels"]).ravel()).max() <= 1e-6
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_requests_from_two_threads_take_turns_so_batch_norm_stays_in_evaluation_mode():
    from concurrent.futures import ThreadPoolExecutor

    from vaegan.core.model import mode
    from vaegan.gans.models import DCGANGenerator

    torch.manual_seed(0)
    # without the lock, 193 of these 200 answers came out of batch norm in training mode
    generator = DCGANGenerator(latent_size=8, hidden_channels=(32, 64), image_shape=(1, 28, 28)).train()
    network = KernelNetwork(live.DecodeToPixels(generator), ["code"], ["pixels"])
    codes = torch.randn(4, 8)
    with torch.no_grad(), mode(generator):
        expected = generator.to_pixels(generator.decode_latents(codes)).numpy().tobytes()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: network.run(["code"], [[4, 8]], [codes.numpy().tobytes()])[1][0], range(200)))
    assert sum(answer != expected for answer in answers) == 0 and generator.training


def test_the_generator_plane_is_random_planes_plane_over_its_own_faded_images(in_a_kernel):
    from vaegan.gans.models import DCGANGenerator
    from vaegan.gans.walks import random_plane

    generator = DCGANGenerator(latent_size=8, hidden_channels=(8, 16), image_shape=(3, 16, 16)).eval()
    widget = live.generator_plane_explorer("faces", generator, seed=2, steps=3)
    config = _config(widget.markup)
    base, directions = random_plane(generator, 2)
    torch.testing.assert_close(torch.tensor(config["origin"]), base)
    torch.testing.assert_close(torch.tensor(config["directions"]), directions)
    assert config["shape"] == [3, 16, 16] and torch.allclose(directions @ directions.T, torch.eye(2), atol=1e-5)
