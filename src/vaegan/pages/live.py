"""Live explorers: the book's own trained networks, run as the reader moves.

Where the network runs depends on where the explorer is shown:

* **on the website** it is exported with ``torch.onnx`` when the page is built and run
  by onnxruntime-web (vendored from npm into the site, WebAssembly, one thread), which
  the page fetches only when the reader scrolls to the explorer. The explorer is one
  HTML output with its script (``live_explorer.js``): no kernel, no widget manager;
* **in a notebook** (Jupyter, Colab, VS Code) it is a widget
  (:mod:`vaegan.pages.live_widget`) with the same HTML and script, whose network runs in
  the kernel, in PyTorch;
* **elsewhere** (a browser without WebAssembly, a notebook viewed without a kernel) the
  same explorer answers from frames precomputed when the output was made.

* :func:`export_onnx`: a module to an ``.onnx`` file, checked against PyTorch on the
  way;
* :func:`latent_plane_explorer`: drag a point over a plane of a decoder's code space and
  watch the decoded image follow;
* :func:`generator_plane_explorer`: the same over a random plane of a generator's code
  space;
* :func:`latent_walk_explorer`: slide along the great circle between two codes of a
  generator;
* :func:`completion_explorer`: a PixelCNN completes the top rows of a digit, pixel by
  pixel;
* :func:`draw_digit_explorer`: draw a digit and see a VAE's posterior for it (mean and
  spread), its reconstruction and decoded posterior samples.
"""

from __future__ import annotations

import html
import io
import json
import warnings
from pathlib import Path

import torch
from einops import rearrange
from torch import Tensor, nn

from vaegan.core.checkpoints import atomic_file
from vaegan.core.model import mode
from vaegan.pages.explorers import png_address, site_assets, to_png

__all__ = ["DecodeToPixels", "EncodeToPixels", "export_onnx", "site_folder", "latent_plane_explorer", "generator_plane_explorer", "draw_digit_explorer", "latent_walk_explorer", "PixelProbabilities", "completion_explorer", "SITE_MODELS", "RUNTIME", "SCRIPT", "standalone"]

# Where a chapter page (book/chapters/NAME.html) finds the exported networks and the runtime.
SITE_MODELS = "../../_static/live"
RUNTIME = "../../_static/vendor/onnxruntime/ort.wasm.min.js"
SCRIPT = Path(__file__).with_name("live_explorer.js")  # the explorers' one script, on the site and in the widget


class DecodeToPixels(nn.Module):
    """``(b, latent) -> (b, c, h, w)`` pixels in [0, 1]: a decoder and its model's
    ``to_pixels``, as one module to export (the page shows pixels, whatever scale the
    model trains on)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        if not hasattr(model, "decode_latents") or not hasattr(model, "to_pixels"):
            raise TypeError(f"{type(model).__name__} has no decode_latents/to_pixels: give an autoencoder or a generator")
        self.model = model
        self.training = model.training  # so that `mode(self)` gives the model back the mode it had

    def forward(self, z: Tensor) -> Tensor:
        return self.model.to_pixels(self.model.decode_latents(z))


def _rounded(pixels: Tensor) -> list:
    """PyTorch's pixels for the page's self-check, to 6 decimals: exact to 5e-7, far
    inside the test's 1e-4, in a third of the bytes of a float's every digit."""
    return torch.round(pixels.double(), decimals=6).tolist()  # in float64, so each prints short


def _images_folder(folder: Path | None) -> Path | None:
    """Where a live explorer's images go: the site's ``frames`` beside its ``live``
    folder (as ``_static/live`` and ``_static/frames``); None (data URLs in the output)
    without a folder."""
    return None if folder is None else Path(folder).parent / "frames"


def _preset_labels(labels: list[str] | None, count: int) -> list[str]:
    """The presets' button labels (``digit 1``, ``digit 2``, ... unless given), one per
    preset."""
    labels = labels if labels is not None else [f"digit {index + 1}" for index in range(count)]
    if len(labels) != count:
        raise ValueError(f"got {len(labels)} labels for {count} presets")
    return labels


def _in_kernel() -> bool:
    """Whether this runs in a notebook's kernel (Jupyter, Colab, VS Code), where a
    widget can run the network in PyTorch; not in a plain Python process."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _where(folder: Path | None) -> str:
    """Where an explorer's network runs: ``browser`` on the website (onnxruntime-web,
    the network exported into ``folder``), ``kernel`` in a notebook
    (:mod:`vaegan.pages.live_widget`), or ``frames`` (none: a plain Python process,
    which only writes the HTML)."""
    return "browser" if folder is not None else "kernel" if _in_kernel() else "frames"


def _live_text(where: str, text: str) -> str:
    """The status line of a live explorer: ``text`` says what happens "live in your
    browser"."""
    return text.replace("in your browser", "in this notebook's kernel (PyTorch)") if where == "kernel" else text


def _output(markup: str, where: str, network: nn.Module, inputs: list[str], outputs: list[str]):
    """The explorer ``markup`` with its script (an IPython ``HTML``) or, in a kernel,
    the widget that runs ``network`` there (its HTML, with frames, for renderers without
    widgets)."""
    from IPython.display import HTML

    script = SCRIPT.read_text()
    if where != "kernel":
        return HTML(standalone(markup, script))
    from vaegan.pages.live_widget import KernelNetwork, LiveWidget

    return LiveWidget(markup, KernelNetwork(network, inputs, outputs), script, fallback=standalone(markup, script))


def standalone(markup: str, script: str) -> str:
    """An explorer's ``markup`` with its ``script`` (:data:`SCRIPT`'s text), as one HTML
    output: the website's explorer, or a widget's for renderers without widgets."""
    return f"{markup}<script>{script}</script>"


def site_folder(start: Path | None = None) -> Path | None:
    """The site's folder for exported networks (``book/assets/live``, published as
    ``_static/live``) when this notebook runs inside the book's source tree (the site
    build); None elsewhere, where the explorers use their frames."""
    return site_assets("live", start)


def export_onnx(module: nn.Module, example, path, input_name="input", output_name="output",
                free_axes: dict[int, str] | None = None) -> Path:
    """Export ``module`` (in evaluation mode) to the ONNX file ``path`` with a free
    batch size, and check that onnx reads it back; written in one atomic step. Returns
    the path.

    ``example`` is one tensor or a tuple of them, and ``input_name`` and ``output_name``
    a name or a list of names, one per input and per output. ``free_axes`` names the
    axes of every input and output left free besides the batch (``{2: "rows"}``: any
    number of rows)."""
    try:
        import onnx
    except ImportError as error:
        raise ImportError("exporting a live explorer's network needs the onnx package: pip install onnx") from error
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    examples = example if isinstance(example, tuple) else (example,)
    inputs = [input_name] if isinstance(input_name, str) else list(input_name)
    outputs = [output_name] if isinstance(output_name, str) else list(output_name)
    if len(inputs) != len(examples):
        raise ValueError(f"got {len(inputs)} input names for {len(examples)} example inputs")
    # The TorchScript exporter (dynamo=False) needs only onnx, where torch.export's needs onnxscript
    # too; it warns that it is the older of the two, a message a page must not print. The models'
    # argument checks (`if z.ndim != 2 ...`) draw tracer warnings too: the traced graph keeps the
    # shapes of the example, with a free batch size, which is what the browser sends.
    with atomic_file(path) as partial, torch.no_grad(), mode(module), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(
            module, examples, str(partial), dynamo=False, opset_version=17,
            input_names=inputs, output_names=outputs,
            dynamic_axes={name: {0: "batch", **(free_axes or {})} for name in inputs + outputs},
        )
        onnx.checker.check_model(onnx.load(str(partial)))
    return path


@torch.no_grad()
def latent_plane_explorer(
    name: str,
    model: nn.Module,
    origin: Tensor,
    directions: Tensor,
    background,
    extent: float = 3.0,
    steps: int = 9,
    checks: int = 4,
    folder: Path | None = None,
    description: str = "",
):
    """An explorer over the plane ``origin + u * directions[0] + v * directions[1]``,
    ``u, v`` in ``[-extent, extent]``, of ``model``'s code space: the reader drags a
    point over ``background`` (a matplotlib figure of the same square, for example
    encoded test digits) and the decoded image follows, decoded live in the browser.

    ``folder`` (default :func:`site_folder`) receives ``name.onnx``, and its sibling
    ``frames`` the images; without one the explorer uses its ``steps x steps`` frames,
    inside the output. ``checks`` fixed codes and PyTorch's pixels for them are stored
    in the page, so a test can compare the browser's decode with PyTorch's. Returns an
    IPython ``HTML`` object."""
    if origin.ndim != 1 or directions.ndim != 2 or directions.shape != (2, origin.shape[0]):
        raise ValueError(f"origin must be (latent,) and directions (2, latent), got {tuple(origin.shape)} and "
                         f"{tuple(directions.shape)}")
    if extent <= 0 or steps < 2:
        raise ValueError(f"need extent > 0 and steps >= 2, got {extent} and {steps}")
    decoder = DecodeToPixels(model)
    with mode(decoder):  # batch norm and dropout as in evaluation, and the model's mode given back
        return _latent_plane(name, decoder, origin, directions, background, extent, steps, checks, folder, description)


def _latent_plane(name, decoder, origin, directions, background, extent, steps, checks, folder, description):
    folder = site_folder() if folder is None else folder
    where = _where(folder)
    model_url = ""
    if folder is not None:
        export_onnx(decoder, origin[None].float(), Path(folder) / f"{name}.onnx", "code", "pixels")
        model_url = f"{SITE_MODELS}/{name}.onnx"
    # frames: the decoded grid, row 0 at v = +extent, as one sprite of size (steps * h, steps * w)
    values = torch.linspace(-extent, extent, steps)
    u, v = torch.meshgrid(values, values.flip(0), indexing="xy")
    codes = origin + u.reshape(-1, 1) * directions[0] + v.reshape(-1, 1) * directions[1]
    pixels = decoder(codes.float())
    _, channels, height, width = pixels.shape
    grid = rearrange(pixels, "(row column) c h w -> c (row h) (column w)", row=steps)  # grey or colour
    # the images go into the site as files beside the explorers' frames (data URLs in a notebook)
    images = _images_folder(folder)
    sprite = png_address(to_png(grid.clamp(0, 1)), images)
    generator = torch.Generator().manual_seed(0)
    check_uv = (torch.rand(checks, 2, generator=generator) * 2 - 1) * extent
    check_codes = origin + check_uv[:, :1] * directions[0] + check_uv[:, 1:] * directions[1]
    check_pixels = _rounded(decoder(check_codes.float()).flatten(1))
    buffer = io.BytesIO()
    background.savefig(buffer, format="png", dpi=2 * 100)
    plane_size = background.get_size_inches()
    import matplotlib.pyplot as plt

    plt.close(background)
    config = {
        "origin": origin.tolist(), "directions": directions.tolist(), "extent": extent, "shape": [channels, height, width],
        "input": "code", "output": "pixels",
        "frames": {"steps": steps, "sprite": sprite},
        "checks": {"codes": check_codes.tolist(), "pixels": check_pixels},
        "liveText": _live_text(where, "decoded live in your browser: drag, or use the arrow keys"),
        "framesText": f"precomputed frames ({steps} x {steps}): on the book's website this decodes live",
    }
    plane_image = png_address(buffer.getvalue(), images)
    plane_pixels = round(plane_size[0] * 100)  # its page size: the PNG holds twice as many
    label = html.escape(description or "a plane of the code space: drag the point to decode other codes")
    markup = f"""<div class="vaegan-live" data-kind="latent-plane" data-model="{model_url}"
 data-runtime="{RUNTIME}" data-config='{html.escape(json.dumps(config), quote=True)}'>
<div class="vaegan-live-plane" tabindex="0" role="application" aria-label="{label}">
<img src="{plane_image}" alt="{label}" width="{plane_pixels}" height="{plane_pixels}" loading="lazy" draggable="false">
<span class="vaegan-live-marker" aria-hidden="true"></span></div>
<div class="vaegan-live-side"><canvas class="vaegan-live-output" width="{width}" height="{height}"
 role="img" aria-label="the decoded image at the point"></canvas>
<p class="vaegan-live-status" aria-live="polite">precomputed frames</p></div>
</div>"""
    return _output(markup, where, decoder, ["code"], ["pixels"])


@torch.no_grad()
def generator_plane_explorer(name: str, generator: nn.Module, seed: int, extent: float = 3.0, steps: int = 9,
                             size: float = 3.4, folder: Path | None = None, description: str = ""):
    """A :func:`latent_plane_explorer` over a random plane of a generator's code space
    (:func:`vaegan.gans.walks.random_plane` with ``seed``), on a background of the
    plane's own images, faded, on a ``steps x steps`` grid, so that the reader sees
    where things are; grey or colour. ``size`` is the background's width in inches."""
    import matplotlib.pyplot as plt

    from vaegan.gans.walks import random_plane
    from vaegan.pages.plotting import image_grid

    base, directions = random_plane(generator, seed)
    values = torch.linspace(-extent, extent, steps)
    u, v = torch.meshgrid(values, values.flip(0), indexing="xy")
    codes = base + u.reshape(-1, 1) * directions[0] + v.reshape(-1, 1) * directions[1]
    with mode(generator):
        grid = image_grid(generator.decode_images(codes), nrow=steps, padding=0)
    background = plt.figure(figsize=(size, size))
    axes = background.add_axes([0, 0, 1, 1])
    axes.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", alpha=0.45,
                extent=(-extent, extent, -extent, extent))
    axes.set(xticks=[], yticks=[])
    return latent_plane_explorer(name, generator, base, directions, background, extent=extent, steps=steps,
                                 folder=folder, description=description)


class EncodeToPixels(nn.Module):
    """A VAE's encoder and decoder as one module to export, for the drawing explorer:
    ``(b, c, h, w)`` pixels in [0, 1] and noise ``(b, k, latent)`` give the posterior's
    mean and spread (standard deviations), each ``(b, latent)``, the decoded mean
    ``(b, c, h, w)`` and ``k`` decoded posterior samples ``(b, k, c, h, w)``, as pixels
    in [0, 1]."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        from vaegan.autoencoders.models import is_variational

        if not is_variational(model):
            raise TypeError(f"{type(model).__name__} is not a VAE: the drawing explorer shows a posterior's mean and spread")
        self.model = model
        self.training = model.training  # so that `mode(self)` gives the model back the mode it had

    def forward(self, pixels: Tensor, noise: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        from vaegan.core.scales import data_scale, from_unit

        mean, log_spread = self.model.encoder(from_unit(pixels, data_scale(self.model.output_scale)))
        spread = log_spread.exp()
        samples = mean[:, None] + spread[:, None] * noise  # "b latent -> b k latent": z = mu + sigma * eps
        batch, count = noise.shape[0], noise.shape[1]
        decoded = self.model.to_pixels(self.model.decode_latents(torch.cat([mean, samples.flatten(0, 1)])))
        return mean, spread, decoded[:batch], decoded[batch:].reshape(batch, count, *decoded.shape[1:])


@torch.no_grad()
def draw_digit_explorer(
    name: str,
    model: nn.Module,
    presets: Tensor,
    labels: list[str] | None = None,
    samples: int = 4,
    folder: Path | None = None,
    description: str = "",
):
    """Draw a digit and watch a VAE read it: the reader draws on a canvas (mouse, pen or
    finger), the drawing is scaled and centred as MNIST's digits are, and the page shows
    what the encoder makes of it (the posterior's mean and spread in every code
    dimension, against the prior's N(0, 1)), its reconstruction (the decoded mean) and
    ``samples`` decoded posterior samples, all computed in the browser.

    ``presets`` ``(n, 1, h, w)`` pixels in [0, 1] (test digits) are buttons that load a
    digit into the canvas; without a runtime (a notebook outside the website) they are
    all the explorer shows, from outputs precomputed here. The first preset, with fixed
    noise, and PyTorch's outputs for it are stored in the page, so a test can compare
    the browser's with them. ``folder`` as for :func:`latent_plane_explorer`. Returns an
    IPython ``HTML`` object."""
    if presets.ndim != 4 or presets.shape[0] < 1 or presets.shape[1] != 1:
        raise ValueError(f"presets must be (n, 1, h, w) grey pixels, got {tuple(presets.shape)}")
    if not 1 <= samples <= 8:
        raise ValueError(f"samples must be between 1 and 8, got {samples}")
    labels = _preset_labels(labels, len(presets))
    network = EncodeToPixels(model)
    with mode(network):
        return _draw_digit(name, network, presets.float(), labels, samples, folder, description)


def _draw_digit(name, network, presets, labels, samples, folder, description):
    folder = site_folder() if folder is None else folder
    where = _where(folder)
    latent_size = network.model.latent_size
    _, _, height, width = presets.shape
    # what the page reads back from a PNG: 8-bit pixels (test digits are 8-bit already)
    presets = (presets.clamp(0, 1) * 255).round() / 255
    noise = torch.randn(len(presets), samples, latent_size, generator=torch.Generator().manual_seed(0))
    model_url = ""
    if folder is not None:
        export_onnx(network, (presets[:1], noise[:1]), Path(folder) / f"{name}.onnx",
                    ["pixels", "noise"], ["mean", "spread", "reconstruction", "samples"])
        model_url = f"{SITE_MODELS}/{name}.onnx"
    mean, spread, reconstruction, decoded = network(presets, noise)
    images = _images_folder(folder)
    # one strip a preset: the digit, its reconstruction, then its samples
    strips = torch.cat([presets, reconstruction, rearrange(decoded, "n k c h w -> n c h (k w)")], dim=-1)
    config = {
        "size": height, "latent": latent_size, "samples": samples,
        "inputs": ["pixels", "noise"], "outputs": ["mean", "spread", "reconstruction", "samples"],
        "presets": [
            {"label": label, "strip": png_address(to_png(strip[0]), images),
             "mean": [round(v, 4) for v in m.tolist()], "spread": [round(v, 4) for v in s.tolist()]}
            for label, strip, m, s in zip(labels, strips, mean, spread)
        ],
        "checks": {
            "noise": noise[0].tolist(), "mean": mean[0].tolist(), "spread": spread[0].tolist(),
            "reconstruction": _rounded(reconstruction[0].flatten()), "samples": _rounded(decoded[0].flatten()),
        },
        "liveText": _live_text(where, "encoded live in your browser: draw a digit, or start from one of the test digits"),
        "framesText": "precomputed for these test digits: on the book's website you can draw your own",
    }
    label = html.escape(description or "draw a digit: the VAE's encoder and decoder read it as you draw")
    buttons = "".join(f'<button type="button" data-preset="{index}">{html.escape(text)}</button>'
                      for index, text in enumerate(labels))
    sample_canvases = "".join(
        f'<canvas class="vaegan-live-sample" width="{width}" height="{height}" role="img" '
        f'aria-label="posterior sample {index + 1}, decoded"></canvas>' for index in range(samples))
    markup = f"""<div class="vaegan-live vaegan-live-drawing" data-kind="draw-digit" data-model="{model_url}"
 data-runtime="{RUNTIME}" data-config='{html.escape(json.dumps(config), quote=True)}'>
<div class="vaegan-live-pad"><canvas class="vaegan-live-draw" width="280" height="280" tabindex="0"
 role="img" aria-label="{label}"></canvas>
<div class="vaegan-live-buttons" role="group" aria-label="start from a test digit">{buttons}
<button type="button" data-action="clear">clear</button>
<button type="button" data-action="resample">new samples</button></div></div>
<div class="vaegan-live-side">
<p class="vaegan-live-caption">what the encoder reads (28×28)</p>
<canvas class="vaegan-live-input" width="{width}" height="{height}" role="img" aria-label="the drawing as the network reads it"></canvas>
<p class="vaegan-live-caption">mean ± spread of each code number, over the prior's ±1</p>
<canvas class="vaegan-live-posterior" width="300" height="130" role="img" aria-label="the posterior's mean and spread"></canvas>
<p class="vaegan-live-caption">reconstruction (decoded mean), and decoded posterior samples</p>
<div class="vaegan-live-row"><canvas class="vaegan-live-output" width="{width}" height="{height}" role="img"
 aria-label="the reconstruction"></canvas>{sample_canvases}</div>
<p class="vaegan-live-status" aria-live="polite">precomputed</p></div>
</div>"""
    return _output(markup, where, network, ["pixels", "noise"], ["mean", "spread", "reconstruction", "samples"])


@torch.no_grad()
def latent_walk_explorer(
    name: str,
    generator: nn.Module,
    seed: int,
    pairs: int,
    steps: int = 9,
    display: int = 160,
    folder: Path | None = None,
    description: str = "",
):
    """Walk continuously along the great circle between two codes of ``generator``
    (``pairs`` pairs drawn with ``seed``, as
    :func:`vaegan.pages.explorers.latent_walk_explorer` draws them): a slider sets the
    position, and the generator runs in the browser at every position. Grey or colour
    images, shown ``display`` CSS pixels wide. Without a runtime the explorer shows
    ``steps`` precomputed frames a walk. ``folder`` as for
    :func:`latent_plane_explorer`."""
    if pairs < 1 or steps < 2:
        raise ValueError(f"need pairs >= 1 and steps >= 2, got {pairs} and {steps}")
    decoder = DecodeToPixels(generator)
    with mode(decoder):
        return _latent_walk(name, decoder, generator, seed, pairs, steps, display, folder, description)


def _latent_walk(name, decoder, generator, seed, pairs, steps, display, folder, description):
    from vaegan.gans.walks import slerp, slerp_at

    folder = site_folder() if folder is None else folder
    where = _where(folder)
    codes = generator.sample_latents(2 * pairs, torch.Generator().manual_seed(seed)).float()
    ends = codes.reshape(pairs, 2, -1)
    model_url = ""
    if folder is not None:
        export_onnx(decoder, codes[:1], Path(folder) / f"{name}.onnx", "code", "pixels")
        model_url = f"{SITE_MODELS}/{name}.onnx"
    # frames: walk k at row k, position j at column j
    frames = torch.stack([decoder(slerp(start, end, steps)) for start, end in ends])  # "pairs steps c h w"
    _, _, channels, height, width = frames.shape
    sprite = rearrange(frames, "p s c h w -> c (p h) (s w)")
    images = _images_folder(folder)
    # check: a point on the first walk, decoded by PyTorch, for the browser to match (one: a face is 12,288 numbers)
    check_codes = slerp_at(*ends[0], 0.37)[None]
    config = {
        "pairs": ends.tolist(), "size": [channels, height, width], "input": "code", "output": "pixels",
        "frames": {"steps": steps, "sprite": png_address(to_png(sprite.clamp(0, 1)), images)},
        "checks": {"codes": check_codes.tolist(), "pixels": _rounded(decoder(check_codes).flatten(1))},
        "liveText": _live_text(where, "generated live in your browser: slide, or use the arrow keys"),
        "framesText": f"precomputed frames ({steps} a walk): on the book's website this generates live",
    }
    label = html.escape(description or "a walk between two codes: slide to generate the images on the way")
    buttons = "".join(f'<button type="button" data-walk="{index}" aria-pressed="{str(index == 0).lower()}">'
                      f"walk {index + 1}</button>" for index in range(pairs))
    shown = round(display * height / width)
    markup = f"""<div class="vaegan-live vaegan-live-walking" data-kind="latent-walk" data-model="{model_url}"
 data-runtime="{RUNTIME}" data-config='{html.escape(json.dumps(config), quote=True)}'>
<div class="vaegan-live-walk"><div class="vaegan-live-buttons" role="group" aria-label="which walk">{buttons}</div>
<label class="vaegan-explorer-slider"><span>position along the walk</span>
<input type="range" min="0" max="100" step="1" value="0" aria-label="position along the walk" aria-valuetext="t = 0.00">
<output>t = 0.00</output></label>
<canvas class="vaegan-live-output" width="{width}" height="{height}" style="width:{display}px;height:{shown}px"
 role="img" aria-label="{label}"></canvas>
<p class="vaegan-live-status" aria-live="polite">precomputed frames</p></div>
</div>"""
    return _output(markup, where, decoder, ["code"], ["pixels"])


class PixelProbabilities(nn.Module):
    """A PixelCNN as one module to export for the completion explorer: ``(b, 1, h, w)``
    binary pixels -> ``(b, 1, h, w)``, each pixel's probability of being on given the
    pixels before it in raster order (the masked convolutions never see a pixel's own
    value or any after it, so pixels not drawn yet may hold anything)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        if not hasattr(model, "band_logits"):
            raise TypeError(f"{type(model).__name__} is not a PixelCNN: the completion explorer needs band_logits")
        self.model = model
        self.training = model.training  # so that `mode(self)` gives the model back the mode it had

    def forward(self, pixels: Tensor) -> Tensor:
        return torch.sigmoid(self.model.band_logits(pixels))


@torch.no_grad()
def completion_explorer(
    name: str,
    model: nn.Module,
    presets: Tensor,
    labels: list[str] | None = None,
    given_rows: int = 14,
    completions: int = 3,
    folder: Path | None = None,
    description: str = "",
):
    """Complete a digit in the browser: the reader picks a test digit's top
    ``given_rows`` rows (or draws them), and a PixelCNN samples the rest, one forward
    pass per pixel in raster order, ``completions`` times at once, showing its progress
    row by row.

    ``presets`` ``(n, 1, h, w)`` binary test digits. Without a runtime (a notebook
    outside the website) the explorer shows completions of the presets precomputed here.
    PyTorch's probabilities for the first preset are stored in the page for a test to
    compare with. ``folder`` as for :func:`latent_plane_explorer`. Returns an IPython
    ``HTML`` object."""
    if presets.ndim != 4 or presets.shape[1] != 1 or len(presets) < 1:
        raise ValueError(f"presets must be (n, 1, h, w) binary digits, got {tuple(presets.shape)}")
    if not bool(((presets == 0) | (presets == 1)).all()):
        raise ValueError("presets must be binary (0 or 1 pixels): binarise them as the model was trained")
    if not 1 <= given_rows < presets.shape[2] or not 1 <= completions <= 6:
        raise ValueError(f"need 1 <= given_rows < {presets.shape[2]} and 1 <= completions <= 6, "
                         f"got {given_rows} and {completions}")
    labels = _preset_labels(labels, len(presets))
    network = PixelProbabilities(model)
    with mode(network):
        return _completion(name, network, presets.float(), labels, given_rows, completions, folder, description)


def _completion(name, network, presets, labels, given_rows, completions, folder, description):
    from vaegan.autoregressive.evaluate import complete

    folder = site_folder() if folder is None else folder
    where = _where(folder)
    _, _, height, width = presets.shape
    model_url = ""
    if folder is not None:
        # any number of rows: the page feeds each pass only the rows the next pixel can see (the
        # model's `reach`), as PixelCNN.sample does, about half the work of the whole image
        export_onnx(network, presets[:1], Path(folder) / f"{name}.onnx", "pixels", "probabilities", {2: "rows"})
        model_url = f"{SITE_MODELS}/{name}.onnx"
    images = _images_folder(folder)
    drawn = complete(network.model, presets, given_rows, per_digit=completions, seed=0)  # "n k 1 h w"
    config = {
        "size": [height, width], "given": given_rows, "completions": completions, "reach": network.model.reach,
        "input": "pixels", "output": "probabilities",
        "presets": [
            {"label": label, "top": "".join(str(int(v)) for v in digit[0, :given_rows].flatten().tolist()),
             "strip": png_address(to_png(rearrange(done, "k c h w -> c h (k w)")), images)}
            for label, digit, done in zip(labels, presets, drawn)
        ],
        "checks": {"pixels": presets[0].flatten().tolist(), "probabilities": _rounded(network(presets[:1]).flatten())},
        "liveText": _live_text(where, f"sampled live in your browser, one pass of the network per pixel ({(height - given_rows) * width} "
                    "a completion): pick or draw the top rows, then complete"),
        "framesText": "precomputed completions of these test digits: on the book's website the PixelCNN samples in the page",
    }
    label = html.escape(description or "the top rows of a digit: pick a test digit, or draw with the pointer")
    buttons = "".join(f'<button type="button" data-preset="{index}">{html.escape(text)}</button>'
                      for index, text in enumerate(labels))
    canvases = "".join(f'<canvas class="vaegan-live-completion" width="{width}" height="{height}" role="img" '
                       f'aria-label="completion {index + 1}"></canvas>' for index in range(completions))
    markup = f"""<div class="vaegan-live vaegan-live-completing" data-kind="completion" data-model="{model_url}"
 data-runtime="{RUNTIME}" data-config='{html.escape(json.dumps(config), quote=True)}'>
<div class="vaegan-live-pad"><canvas class="vaegan-live-top" width="{width}" height="{height}" tabindex="0"
 role="img" aria-label="{label}"></canvas>
<div class="vaegan-live-buttons" role="group" aria-label="the top rows">{buttons}
<button type="button" data-action="clear">clear</button></div></div>
<div class="vaegan-live-side"><button type="button" class="vaegan-live-run" data-action="complete">complete the digit</button>
<p class="vaegan-live-caption">{completions} completions by the PixelCNN</p>
<div class="vaegan-live-row">{canvases}</div>
<p class="vaegan-live-status" aria-live="polite">precomputed</p></div>
</div>"""
    return _output(markup, where, network, ["pixels"], ["probabilities"])
