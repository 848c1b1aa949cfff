"""One architecture diagram per model family, drawn from the models themselves.

Each function returns a matplotlib Figure (made with pyplot, so ``plt.show()`` shows it
as the chapters' other figures). Shapes and counts are read from a model instance: a
dummy tensor is run through it with forward hooks
(:func:`vaegan.pages.tables.layer_table`), so a diagram cannot disagree with the network
it describes. Every box carries its name and colour is never the only cue: data,
networks, codes, noise and losses also differ in their words and outlines.

* :func:`autoencoder_diagram`: image, encoder, code, decoder, reconstruction and the
  loss;
* :func:`vae_diagram`: the same with mean and log sigma, the noise input and the two
  loss terms;
* :func:`gan_diagram`: generator and discriminator, the two losses and what each one
  updates;
* :func:`dcgan_stack_diagram`: the DCGAN layer stack, one block per stage, sized by its
  output;
* :func:`pixelcnn_diagram`: the masked stack and the receptive field of one pixel
  (:func:`receptive_field`), blind spot included.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass

import numpy as np
import torch
from einops.layers.torch import Rearrange
from torch import Tensor, nn

from vaegan.autoencoders.models import Autoencoder, Variational, VAE
from vaegan.autoregressive.models import PixelCNN, causal_mask
from vaegan.convtranspose.operations import ConvTranspose2d as ScratchConvTranspose2d
from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator
from vaegan.pages.tables import layer_table

__all__ = [
    "autoencoder_diagram", "vae_diagram", "gan_diagram", "dcgan_stack_diagram", "pixelcnn_diagram", "receptive_field",
]

#: inches. The book's text column is 688 CSS px on a 1280 px screen; a figure saved at dpi 100 with
#: ``bbox_inches="tight"`` gains about 10 px a side, so 6.8 inches (680 px) is the widest that shows at its size
WIDTH = 6.8
FONT = 10  # points; nothing is written smaller than SMALL
SMALL = 9

#: box styles (Okabe-Ito hues, light fills so black text reads on them); the words in each box say what it is
_KINDS = {
    "data": dict(facecolor="#EBEBEB", edgecolor="#404040", linestyle="-"),
    "network": dict(facecolor="#D4E6F5", edgecolor="#0072B2", linestyle="-"),
    "code": dict(facecolor="#FBE8C6", edgecolor="#A87000", linestyle="-"),
    "noise": dict(facecolor="#F4E0EC", edgecolor="#A0507F", linestyle="--"),
    "loss": dict(facecolor="#F9DCCB", edgecolor="#D55E00", linestyle="-"),
}
FORWARD, GRADIENT = "#202020", "#D55E00"  # arrows: solid dark for the forward pass, dashed vermillion for gradients


# --- the shared drawing helper ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Box:
    """A drawn box: centre and size in inches (the canvas's data units)."""

    x: float
    y: float
    w: float
    h: float

    def side(self, where: str, shift: float = 0.0) -> tuple[float, float]:
        """The middle of one side (``left``, ``right``, ``top``, ``bottom``), moved
        ``shift`` along it."""
        return {
            "left": (self.x - self.w / 2, self.y + shift), "right": (self.x + self.w / 2, self.y + shift),
            "top": (self.x + shift, self.y + self.h / 2), "bottom": (self.x + shift, self.y - self.h / 2),
        }[where]


class _Canvas:
    """A figure whose one axes measures inches from the bottom-left corner, so boxes,
    gaps and text sizes are all planned in the same unit."""

    def __init__(self, height: float, width: float = WIDTH) -> None:
        import matplotlib.pyplot as plt

        self.figure = plt.figure(figsize=(width, height), facecolor="white")
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, height)
        self.ax.set_axis_off()
        self.width, self.height = width, height

    def box(self, x: float, y: float, w: float, h: float, text: str = "", kind: str = "network",
            fontsize: float = FONT, rounding: float = 0.08, **text_options) -> _Box:
        """A labelled box centred at ``(x, y)``."""
        from matplotlib.patches import FancyBboxPatch

        style = _KINDS[kind]
        self.ax.add_patch(FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}", linewidth=1.6, zorder=2,
            **style,
        ))
        if text:
            self.text(x, y, text, fontsize=fontsize, **text_options)
        return _Box(x, y, w, h)

    def outline(self, x: float, y: float, w: float, h: float, edgecolor: str) -> None:
        """A dotted, unfilled box: a group of boxes read together."""
        from matplotlib.patches import FancyBboxPatch

        self.ax.add_patch(FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08", facecolor="none",
            edgecolor=edgecolor, linestyle=":", linewidth=1.3, zorder=1,
        ))

    def text(self, x: float, y: float, text: str, fontsize: float = FONT, **options):
        if fontsize < SMALL:
            raise ValueError(f"diagram text must be at least {SMALL} pt, got {fontsize}")
        options = {"ha": "center", "va": "center", "zorder": 4, **options}
        return self.ax.text(x, y, text, fontsize=fontsize, linespacing=1.3, **options)

    def arrow(self, start, end, kind: str = "forward", via=(), text: str | None = None, text_at=None,
              bend: float = 0.0, **text_options) -> None:
        """An arrow from ``start`` to ``end`` through the corners ``via``;
        ``kind="gradient"`` is dashed vermillion. ``bend`` curves the last segment;
        ``text`` is written at ``text_at``."""
        from matplotlib.patches import FancyArrowPatch

        colour, style = (GRADIENT, "--") if kind == "gradient" else (FORWARD, "-")
        points = [start, *via, end]
        for a, b in zip(points[:-2], points[1:-1]):
            self.ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, linestyle=style, linewidth=1.5, zorder=1)
        self.ax.add_patch(FancyArrowPatch(
            points[-2], points[-1], arrowstyle="-|>", mutation_scale=14, color=colour, linestyle=style,
            linewidth=1.5, zorder=3, shrinkA=0, shrinkB=0, connectionstyle=f"arc3,rad={bend}",
        ))
        if text:
            x, y = text_at if text_at is not None else ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            options = {"color": colour, "fontsize": SMALL, **text_options}
            self.text(x, y, text, **options)


# --- what a network does, read from a forward pass -------------------------------------------------------------------

_WEIGHTED = (nn.Conv2d, nn.ConvTranspose2d, ScratchConvTranspose2d, nn.Linear)
_BATCH = 3  # the dummy batch: 3, so the batch axis is told apart from a "two" axis (mean and log sigma)


@dataclass
class _Stage:
    """One weighted layer and the modules after it up to the next one, with the stage's
    output shape."""

    layer: nn.Module
    after: list[str]
    shape: tuple[int, ...]

    @property
    def name(self) -> str:
        return _describe(self.layer)

    @property
    def label(self) -> str:
        return ", ".join([self.name, *self.after])


def _describe(layer: nn.Module) -> str:
    kernel = getattr(layer, "kernel_size", None)
    if isinstance(layer, (nn.ConvTranspose2d, ScratchConvTranspose2d)):
        return f"ConvTranspose {kernel[0]}×{kernel[1]}, stride {layer.stride[0]}"
    if isinstance(layer, nn.Conv2d):
        return f"Conv {kernel[0]}×{kernel[1]}, stride {layer.stride[0]}"
    if isinstance(layer, nn.Linear):
        return f"Linear {layer.in_features}→{layer.out_features}"
    return type(layer).__name__


def _shape(output: tuple[int, ...]) -> tuple[tuple[int, ...], bool]:
    """``output`` without its batch axis (the first axis of size ``_BATCH``), and
    whether that axis came first (it does not after the VAE's split into mean and log
    sigma, ``(2, b, latent)``)."""
    axis = list(output).index(_BATCH)
    return tuple(output[:axis]) + tuple(output[axis + 1:]), axis == 0


def _stages(network: nn.Module, example: Tensor) -> list[_Stage]:
    """The stages of ``network(example)`` in the order they ran, from forward hooks on
    its leaf modules.

    A stage's shape is what its last module returned, except that a flattening step does
    not count (the shape the reader wants is the feature maps', not the long vector the
    next linear layer reads). Leaf modules before the first weighted layer are left
    out."""
    rows = layer_table(network, example)
    stages: list[_Stage] = []
    previous: tuple[int, ...] | None = None
    for row in rows:
        module = network.get_submodule(row["layer"]) if row["layer"] else network
        shape, batch_first = _shape(row["output"])
        if isinstance(module, _WEIGHTED):
            stages.append(_Stage(module, [], shape))
        elif stages:
            stage = stages[-1]
            if isinstance(module, Rearrange):
                flattens = len(shape) < len(previous)
                if flattens:
                    stage.after.append("flatten")
                else:
                    stage.shape = shape
                    if batch_first:  # not the (mu, log sigma) split, which the VAE diagram draws apart
                        stage.after.append("reshape")
            else:
                stage.after.append(_ACTIVATIONS.get(type(module), lambda m: type(m).__name__)(module))
                stage.shape = shape
        previous = shape
    if not stages:
        raise ValueError(f"{type(network).__name__} has no convolution or linear layer to draw")
    return stages


_ACTIVATIONS = {
    nn.ReLU: lambda m: "ReLU", nn.Tanh: lambda m: "tanh", nn.Sigmoid: lambda m: "sigmoid", nn.GELU: lambda m: "GELU",
    nn.BatchNorm2d: lambda m: "BatchNorm", nn.LeakyReLU: lambda m: f"LeakyReLU({m.negative_slope:g})",
}


def _size(shape) -> str:
    return "×".join(str(int(s)) for s in shape)


def _stack_box(canvas: _Canvas, x: float, y: float, w: float, title: str, stages: list[_Stage]) -> _Box:
    """A network box: its title, then one line per stage (layers on the left, output
    shape on the right)."""
    line = 0.21
    h = 0.42 + line * len(stages)
    box = canvas.box(x, y, w, h, kind="network")
    top = y + h / 2
    canvas.text(x, top - 0.2, title, fontweight="bold")
    canvas.text(x + w / 2 - 0.12, top - 0.2, "output", fontsize=SMALL, ha="right", color="#333333")
    for index, stage in enumerate(stages):
        row_y = top - 0.43 - line * index
        canvas.text(x - w / 2 + 0.12, row_y, stage.label, fontsize=SMALL, ha="left")
        canvas.text(x + w / 2 - 0.12, row_y, _size(stage.shape), fontsize=SMALL, ha="right")
    return box


def _autoencoder_stages(model: nn.Module) -> tuple[list[_Stage], list[_Stage]]:
    example = torch.zeros(_BATCH, *model.image_shape)
    codes = torch.zeros(_BATCH, model.latent_size)
    return _stages(model.encoder, example), _stages(model.decoder, codes)


def _reconstruction_words(model: nn.Module) -> str:
    """The reconstruction loss that matches the decoder's output scale: binary
    cross-entropy on logits (a Bernoulli decoder), else the mean squared error."""
    if model.output_scale == "logits":
        return "$\\mathrm{BCE}(\\hat{x}, x)$"
    return "$\\mathrm{mean}\\,(\\hat{x} - x)^2$"


# --- the autoencoder and the VAE -------------------------------------------------------------------------------------

_IMAGE_W = 1.05  # the left column: input, loss, reconstruction
_NETWORK_LEFT = 0.15 + _IMAGE_W + 0.3


def _encoder_decoder_rows(canvas: _Canvas, model, encoder: list[_Stage], decoder: list[_Stage],
                          encoder_right: float, top_y: float, bottom_y: float, loss_title: str):
    """The parts both autoencoder diagrams share: input, encoder, decoder,
    reconstruction and the reconstruction loss between input and output. Returns the
    ``(encoder, decoder, loss)`` boxes."""
    shape = _size(model.image_shape)
    image_x = 0.15 + _IMAGE_W / 2
    network_w = encoder_right - _NETWORK_LEFT
    network_x = _NETWORK_LEFT + network_w / 2
    x_box = canvas.box(image_x, top_y, _IMAGE_W, 0.8, f"input $x$\n{shape}", kind="data")
    encoder_box = _stack_box(canvas, network_x, top_y, network_w, "encoder", encoder)
    decoder_box = _stack_box(canvas, network_x, bottom_y, network_w, "decoder", decoder)
    x_hat = canvas.box(image_x, bottom_y, _IMAGE_W, 0.8, f"reconstruction\n$\\hat{{x}}$\n{shape}", kind="data",
                       fontsize=SMALL)
    canvas.arrow(x_box.side("right"), encoder_box.side("left"))
    canvas.arrow(decoder_box.side("left"), x_hat.side("right"))
    loss_y = (x_box.side("bottom")[1] + x_hat.side("top")[1]) / 2
    loss = canvas.box(image_x, loss_y, _IMAGE_W + 0.1, 0.62, "", kind="loss")
    canvas.text(loss.x, loss.y + 0.13, loss_title, fontsize=SMALL, fontweight="bold")
    canvas.text(loss.x, loss.y - 0.14, _reconstruction_words(model), fontsize=SMALL)
    canvas.arrow(x_box.side("bottom"), (x_box.x, loss.side("top")[1]))
    canvas.arrow(x_hat.side("top"), (x_hat.x, loss.side("bottom")[1]))
    return encoder_box, decoder_box, loss


def _row_heights(encoder: list[_Stage], decoder: list[_Stage]) -> tuple[float, float]:
    return 0.42 + 0.21 * len(encoder), 0.42 + 0.21 * len(decoder)


def autoencoder_diagram(model: Autoencoder | None = None):
    """The autoencoder: a ``1×28×28`` image through the strided convolutions to a code
    of ``latent_size`` numbers and back through the transposed convolutions; the loss
    compares the reconstruction with the input. Sizes come from ``model`` (default: the
    package's :class:`~vaegan.autoencoders.models.Autoencoder`)."""
    model = Autoencoder() if model is None else model
    if not isinstance(model, Autoencoder):
        raise ValueError(
            f"autoencoder_diagram draws a vaegan Autoencoder, got {type(model).__name__}"
            + ("; use vae_diagram for a VAE" if isinstance(model, Variational) else "")
        )
    encoder, decoder = _autoencoder_stages(model)
    high, low = _row_heights(encoder, decoder)
    bottom_y = 0.25 + low / 2
    top_y = bottom_y + low / 2 + 1.1 + high / 2
    canvas = _Canvas(top_y + high / 2 + 0.25)
    code_w = 1.05
    code_x = canvas.width - 0.15 - code_w / 2
    encoder_box, decoder_box, loss = _encoder_decoder_rows(
        canvas, model, encoder, decoder, code_x - code_w / 2 - 0.3, top_y, bottom_y, "loss"
    )
    code = canvas.box(code_x, top_y, code_w, 0.8, f"code $z$\n{model.latent_size} numbers", kind="code")
    canvas.arrow(encoder_box.side("right"), code.side("left"))
    canvas.arrow(code.side("bottom"), decoder_box.side("right"), via=[(code.x, bottom_y)])
    middle = (encoder_box.side("bottom")[1] + decoder_box.side("top")[1]) / 2
    canvas.text(code.x - 0.15, middle, "the decoder sees only\nthe code: a bottleneck", fontsize=SMALL, ha="right",
                color="#333333")
    canvas.text(loss.side("right")[0] + 0.12, loss.y, "training\nminimises this", fontsize=SMALL, ha="left",
                color="#333333")
    return canvas.figure


def vae_diagram(model: Variational | None = None):
    """The VAE: the encoder gives a mean ``mu`` and a log standard deviation
    ``log sigma``; the code ``z = mu + sigma * epsilon`` takes its randomness from a
    separate noise input ``epsilon ~ N(0, I)`` (the reparameterisation trick), so the
    loss's gradient reaches the encoder through ``mu`` and ``sigma``, never through
    ``epsilon``. The two loss terms (reconstruction, KL to ``N(0, I)``) are labelled.
    Sizes come from ``model`` (default: the package's
    :class:`~vaegan.autoencoders.models.VAE`).

    The page is narrow, so the code's column runs down the right: mean and log sigma
    beside the encoder, ``z`` under them with the noise coming in from the left, and
    ``z`` down to the decoder."""
    model = VAE() if model is None else model
    if not isinstance(model, Variational):
        raise ValueError(
            f"vae_diagram draws a vaegan VAE (VAE or MLPVAE), got {type(model).__name__}"
            + ("; use autoencoder_diagram for a plain autoencoder" if isinstance(model, Autoencoder) else "")
        )
    encoder, decoder = _autoencoder_stages(model)
    latent = model.latent_size
    high, low = _row_heights(encoder, decoder)
    pair_half = 0.72  # mean and log sigma, 0.56 high each, in their dotted outline
    upper_half = max(high / 2, pair_half)
    z_drop = pair_half + 0.45 + 0.4  # from the encoder's middle to the middle of z
    lower_gap = max(high / 2 + 1.1, z_drop + 0.4 + 0.3)  # the encoder's middle to the decoder's top
    bottom_y = 0.25 + low / 2
    top_y = bottom_y + low / 2 + lower_gap
    kl_y = top_y + upper_half + 0.4 + 0.35
    canvas = _Canvas(kl_y + 0.35 + 0.15)
    column_w = 1.4  # the code's column on the right
    column_x = canvas.width - 0.15 - column_w / 2
    encoder_box, decoder_box, _ = _encoder_decoder_rows(
        canvas, model, encoder, decoder, column_x - column_w / 2 - 0.3, top_y, bottom_y, "reconstruction"
    )

    mu = canvas.box(column_x, top_y + 0.36, 0.9, 0.56, f"mean $\\mu$\n{latent}", kind="code")
    log_sigma = canvas.box(column_x, top_y - 0.36, 0.9, 0.56, f"$\\log\\sigma$\n{latent}", kind="code")
    canvas.arrow(encoder_box.side("right", 0.12), mu.side("left"))
    canvas.arrow(encoder_box.side("right", -0.12), log_sigma.side("left"))
    # both statistics are read together, by the KL term above and by z below: arrows from a dotted outline
    pair_top, pair_bottom = top_y + pair_half, top_y - pair_half
    canvas.outline(mu.x, top_y, mu.w + 0.16, pair_top - pair_bottom, edgecolor="#A87000")
    z = canvas.box(column_x, top_y - z_drop, column_w, 0.8, f"$z = \\mu + \\sigma \\odot \\epsilon$\n{latent} numbers",
                   kind="code")
    canvas.arrow((z.x + 0.25, pair_bottom), z.side("top", 0.25))
    # the gradient's way back: through mu and sigma, to the encoder
    canvas.arrow(z.side("top", -0.25), (z.x - 0.25, pair_bottom), kind="gradient", text="gradient to\nthe encoder",
                 text_at=(z.x - 0.37, (pair_bottom + z.side("top")[1]) / 2), ha="right")

    noise = canvas.box(z.side("left")[0] - 0.35 - 0.8, z.y, 1.6, 0.82, f"noise $\\epsilon \\sim \\mathcal{{N}}(0, I)$\n"
                       f"{latent} numbers, a fixed\ndraw: no gradient", kind="noise", fontsize=SMALL)
    canvas.arrow(noise.side("right"), z.side("left"))

    kl = canvas.box(canvas.width - 0.15 - 0.85, kl_y, 1.7, 0.7, "", kind="loss")
    canvas.text(kl.x, kl.y + 0.13, "KL term", fontsize=SMALL, fontweight="bold")
    canvas.text(kl.x, kl.y - 0.14, "$\\mathrm{KL}(\\mathcal{N}(\\mu, \\sigma^2) \\,\\Vert\\, \\mathcal{N}(0, I))$",
                fontsize=SMALL)
    canvas.arrow((mu.x - 0.25, pair_top), (mu.x - 0.25, kl.side("bottom")[1]))

    canvas.arrow(z.side("bottom"), decoder_box.side("right"), via=[(z.x, bottom_y)])
    canvas.text(0.15, kl_y + 0.14, "loss = reconstruction + $\\beta$ · KL", fontsize=SMALL, ha="left")
    canvas.text(0.15, kl_y - 0.16, "solid: forward pass    dashed: gradient", fontsize=SMALL, ha="left",
                color="#333333")
    return canvas.figure


# --- the GAN ---------------------------------------------------------------------------------------------------------

def gan_diagram():
    """The GAN game: noise ``z ~ N(0, I)`` through the generator G to fake images; real
    images from the data; both through the discriminator D to one logit each. D's loss
    labels real 1 and fake 0 and updates D; G's non-saturating loss ``-log D(G(z))``
    labels fake 1 and updates G through D."""
    canvas = _Canvas(4.95)
    row_top, row_mid, row_low = 3.3, 2.5, 1.7
    z = canvas.box(0.65, row_top, 1.0, 0.8, "noise\n$z \\sim \\mathcal{N}(0, I)$", kind="noise")
    generator = canvas.box(1.925, row_top, 0.95, 0.8, "generator\n$G$", kind="network", fontweight="bold")
    fake = canvas.box(3.275, row_top, 1.15, 0.8, "fake images\n$G(z)$", kind="data")
    real = canvas.box(3.275, row_low, 1.15, 0.8, "real images $x$\nfrom the data", kind="data")
    # tall, so both image kinds come in level: D reads each the same way
    critic = canvas.box(4.75, row_mid, 1.2, 2.1, "discriminator\n$D$", kind="network", fontweight="bold")
    logit = canvas.box(6.15, row_mid, 1.0, 1.0, "one logit\nper image\n$D = \\sigma(\\mathrm{logit})$", kind="code",
                       fontsize=SMALL)
    canvas.arrow(z.side("right"), generator.side("left"))
    canvas.arrow(generator.side("right"), fake.side("left"))
    canvas.arrow(fake.side("right"), (critic.side("left")[0], fake.y))
    canvas.arrow(real.side("right"), (critic.side("left")[0], real.y))
    canvas.arrow(critic.side("right"), logit.side("left"))

    loss_x, loss_w = canvas.width - 0.15 - 1.55, 3.1
    g_loss = canvas.box(loss_x, 4.35, loss_w, 0.72, "", kind="loss")
    canvas.text(g_loss.x, g_loss.y + 0.15, "G's loss (non-saturating): $-\\log D(G(z))$", fontsize=SMALL,
                fontweight="bold")
    canvas.text(g_loss.x, g_loss.y - 0.16, "fake labelled 1 · updates G (through D)", fontsize=SMALL)
    d_loss = canvas.box(loss_x, 0.5, loss_w, 0.72, "", kind="loss")
    canvas.text(d_loss.x, d_loss.y + 0.15, "D's loss: $-\\log D(x) - \\log(1 - D(G(z)))$", fontsize=SMALL,
                fontweight="bold")
    canvas.text(d_loss.x, d_loss.y - 0.16, "real labelled 1, fake labelled 0 · updates D", fontsize=SMALL)
    canvas.arrow(logit.side("top"), (logit.x, g_loss.side("bottom")[1]))
    canvas.arrow(logit.side("bottom"), (logit.x, d_loss.side("top")[1]))
    canvas.arrow(g_loss.side("left"), generator.side("top"), kind="gradient", via=[(generator.x, g_loss.y)],
                 text="updates G", text_at=((generator.x + g_loss.side("left")[0]) / 2, g_loss.y + 0.17))
    canvas.arrow((critic.x, d_loss.side("top")[1]), critic.side("bottom"), kind="gradient",
                 text="updates D", text_at=(critic.x + 0.1, (d_loss.side("top")[1] + critic.side("bottom")[1]) / 2),
                 ha="left")
    canvas.text(0.15, 0.55, "solid: forward pass\ndashed: the update\neach loss makes", fontsize=SMALL, ha="left",
                color="#333333")
    return canvas.figure


# --- the DCGAN stack -------------------------------------------------------------------------------------------------

_COLUMN = 1.3  # inches a block takes at least: its widest words ("ConvTranspose2d", "BatchNorm, ReLU") are 1.14
_WRAP = 16  # characters of a block's words a line
_LINE_H = 2.6  # one line of blocks: the words above (up to four lines), the block, its shape below
_TITLE_H = 0.3


def _lines(count: int, width: float) -> list[range]:
    """Block indices split into lines of equal length, as few as keep every column
    ``_COLUMN`` wide."""
    most = max(1, int((width - 0.3) / _COLUMN + 1e-9))
    lines = -(-count // most)
    per_line = -(-count // lines)
    return [range(start, min(start + per_line, count)) for start in range(0, count, per_line)]


def _stack_row(canvas: _Canvas, top: float, title: str, first: tuple[str, tuple[int, ...]], stages: list[_Stage],
               tallest: int, block_h: float = 1.3) -> float:
    """One network as blocks below ``top``: height by spatial size, width by log2 of the
    channel count; each block's layers above it and its output shape below. A network
    with more blocks than fit a line goes on over more lines, an arrow leaving at the
    right and coming in at the left. Returns how far down it reached."""
    blocks = [(first[0], first[1])] + [(_block_words(stage), stage.shape) for stage in stages]
    lines = _lines(len(blocks), canvas.width)
    column = (canvas.width - 0.3) / len(lines[0])
    canvas.text(0.15, top - 0.15, title, fontweight="bold", ha="left")
    for number, line in enumerate(lines):
        y = top - _TITLE_H - _LINE_H * number - 0.85 - block_h / 2
        right_edge = 0.1 if number else None  # a continued line: its arrow comes in from the margin
        for place, index in enumerate(line):
            words, shape = blocks[index]
            x = 0.15 + column * (place + 0.5)
            if len(shape) == 3:
                w, h, kind = 0.08 + 0.07 * np.log2(shape[0] + 1), max(0.1, block_h * shape[1] / tallest), "network"
            else:  # a vector: a thin bar
                w, h, kind = 0.14, 0.6 * block_h if shape[0] > 1 else 0.14, "code"
            kind = kind if index else ("data" if len(shape) == 3 else "noise")
            box = canvas.box(x, y, w, h, kind=kind, rounding=0.02)
            canvas.text(x, y + block_h / 2 + 0.1, words, fontsize=SMALL, va="bottom")
            canvas.text(x, y - block_h / 2 - 0.12, _size(shape) + (" (logit)" if shape == (1,) else ""),
                        fontsize=SMALL, va="top", fontweight="bold")
            if right_edge is not None:
                canvas.arrow((right_edge + 0.06, y), (box.side("left")[0] - 0.06, y))
            right_edge = box.side("right")[0]
        if line is not lines[-1]:
            canvas.arrow((right_edge + 0.06, y), (canvas.width - 0.1, y))
    return top - _TITLE_H - _LINE_H * len(lines)


def _block_words(stage: _Stage) -> str:
    layer = stage.layer
    if isinstance(layer, nn.Linear):
        head = f"Linear\n{layer.in_features}→{layer.out_features}"
    else:
        head = ("ConvTranspose2d" if isinstance(layer, (nn.ConvTranspose2d, ScratchConvTranspose2d)) else "Conv2d") \
            + f"\n{layer.kernel_size[0]}×{layer.kernel_size[1]}, stride {layer.stride[0]}"
    after = [word for word in stage.after if word != "flatten"]
    return "\n".join([head, *textwrap.wrap(", ".join(after), _WRAP)])


def dcgan_stack_diagram(generator: DCGANGenerator, discriminator: DCGANDiscriminator | None = None):
    """The DCGAN's layers as blocks, one per stage (a linear or convolutional layer and
    what follows it), each labelled with the shape ``channels×height×width`` that a
    dummy batch actually had there. A block's height follows the maps' spatial size, its
    width ``log2`` of the channels. The discriminator, when given, is drawn underneath,
    from an image down to its logit."""
    if not isinstance(generator, DCGANGenerator):
        raise ValueError(f"dcgan_stack_diagram draws a DCGANGenerator, got {type(generator).__name__}")
    if discriminator is not None and not isinstance(discriminator, DCGANDiscriminator):
        raise ValueError(f"the discriminator must be a DCGANDiscriminator or None, got {type(discriminator).__name__}")
    if discriminator is not None and tuple(discriminator.image_shape) != tuple(generator.image_shape):
        raise ValueError(
            f"the discriminator judges images of {discriminator.image_shape}, the generator makes "
            f"{generator.image_shape}; pass a pair built for the same image shape"
        )
    image = tuple(generator.image_shape)
    made = _stages(generator, torch.zeros(_BATCH, generator.latent_size))
    rows = [("generator G", ("input $z$", (generator.latent_size,)), made)]
    if discriminator is not None:
        rows.append(("discriminator D", ("image $x$", image), _stages(discriminator, torch.zeros(_BATCH, *image))))
    note_h = 0.6
    height = sum(_TITLE_H + _LINE_H * len(_lines(len(stages) + 1, WIDTH)) for _, _, stages in rows) + note_h + 0.1
    canvas = _Canvas(height)
    top = canvas.height - 0.05
    for title, first, stages in rows:
        top = _stack_row(canvas, top, title, first, stages, tallest=image[1])
    canvas.text(canvas.width / 2, note_h / 2, "block height ∝ height of the feature maps · block width ∝ "
                "log₂(channels)\nshapes from a forward pass of this model", fontsize=SMALL, color="#333333")
    return canvas.figure


# --- PixelCNN: the stack and the receptive field ---------------------------------------------------------------------

def receptive_field(model: PixelCNN, row: int, column: int) -> Tensor:
    """``(h, w)`` bool: the input pixels that the logit of pixel ``(row, column)``
    depends on.

    Computed, not derived: the input gradient of that one logit is nonzero exactly where
    some path through the network joins the two. A trained network may zero a path by
    chance (a ReLU that is off for this input, weights that cancel), so the gradient is
    taken in a copy of ``model`` whose weights and biases are all positive, at an input
    of ones: every pre-activation is then positive, every ReLU passes, and no two paths
    can cancel. The masks are the model's own, so the field is the architecture's: for a
    causal stack it never holds the pixel itself or any later one."""
    if not isinstance(model, PixelCNN):
        raise ValueError(f"receptive_field takes a PixelCNN, got {type(model).__name__}")
    _, height, width = model.image_shape
    if not (0 <= row < height and 0 <= column < width):
        raise ValueError(f"pixel ({row}, {column}) is outside the {height}×{width} image; rows 0..{height - 1}, "
                         f"columns 0..{width - 1}")
    probe = copy.deepcopy(model).cpu().double()
    with torch.no_grad():
        for module in probe.modules():
            if isinstance(module, nn.Conv2d):
                module.weight.fill_(1.0 / module.weight[0].numel())  # 1 / fan-in: the values stay near 1
                if module.bias is not None:
                    module.bias.fill_(0.1)
    image = torch.ones(1, 1, height, width, dtype=torch.float64, requires_grad=True)
    probe.band_logits(image)[0, 0, row, column].backward()
    return image.grad[0, 0] != 0


#: what each pixel is to the predicted one, in the order of the legend
_ROLES = ("the pixel predicted", "seen", "blind spot: earlier, not seen", "earlier, out of reach", "later: never seen")
_ROLE_COLOURS = ("#D55E00", "#0072B2", "#F0C24E", "#D9D9D9", "#FFFFFF")


def _roles(field: Tensor, row: int, column: int) -> np.ndarray:
    """``(h, w)`` indices into :data:`_ROLES`. The blind spot is the earlier pixels the
    field leaves out between its right edge and the pixel's column, in the rows it
    reaches: the wedge to the upper right that the masked 3×3 layers cannot fill,
    however many are stacked."""
    seen = field.numpy()
    height, width = seen.shape
    order = np.arange(height * width).reshape(height, width)
    earlier = order < row * width + column
    roles = np.where(earlier, 3, 4)
    roles[seen] = 1
    roles[row, column] = 0
    if seen.any():
        rows, columns = np.nonzero(seen)
        top, right = rows.min(), columns.max()
        wedge = np.zeros_like(seen)
        wedge[top:row, column + 1:right + 1] = True
        roles[wedge & earlier & ~seen] = 2
    return roles


def _mask_grid(canvas: _Canvas, x: float, y: float, mask: Tensor, cell: float) -> None:
    """A kernel mask as a small grid: kept weights filled, masked ones white, the centre
    outlined."""
    from matplotlib.patches import Rectangle

    size = mask.shape[0]
    left, top = x - size * cell / 2, y + size * cell / 2
    for i in range(size):
        for j in range(size):
            kept = bool(mask[i, j])
            canvas.ax.add_patch(Rectangle((left + j * cell, top - (i + 1) * cell), cell, cell, linewidth=0.6,
                                          edgecolor="#404040", facecolor="#0072B2" if kept else "white", zorder=3))
    centre = size // 2
    canvas.ax.add_patch(Rectangle((left + centre * cell, top - (centre + 1) * cell), cell, cell, linewidth=2.0,
                                  edgecolor="#D55E00", facecolor="none", zorder=4))


def pixelcnn_diagram(model: PixelCNN | None = None, row: int | None = None, column: int | None = None):
    """Two panels, one above the other. (a) The PixelCNN stack with the model's own
    counts: a 7×7 type-A masked convolution, the type-B 3×3 residual layers, the 1×1
    head; each mask drawn beside its layer. (b) The receptive field of output pixel
    ``(row, column)`` (default: the image's centre), computed by
    :func:`receptive_field`: the pixel, the pixels it sees, the blind spot to the upper
    right, the earlier pixels out of reach, and the later ones it must never see."""
    model = PixelCNN() if model is None else model
    if not isinstance(model, PixelCNN):
        raise ValueError(f"pixelcnn_diagram draws a PixelCNN, got {type(model).__name__}")
    _, height, width = model.image_shape
    row = height // 2 if row is None else row
    column = width // 2 if column is None else column
    field = receptive_field(model, row, column)  # checks the pixel
    later = torch.arange(height * width).reshape(height, width) >= row * width + column
    if (field & later).any():
        raise ValueError("this PixelCNN sees the pixel it predicts or a later one: its masks are not causal")
    roles = _roles(field, row, column)

    steps = _stack_steps(len(model.body) > 0)
    stack_h = 0.25 + sum(steps) + 0.31
    canvas = _Canvas(stack_h + 0.35 + _FIELD_H)
    _draw_stack(canvas, model, steps, top=canvas.height - 0.25)
    _draw_field(canvas, roles, row, column, top=_FIELD_H)
    return canvas.figure


def _stack_steps(body: bool) -> list[float]:
    """How far down each box of panel (a) is from the one above (the first: from the
    panel's title)."""
    return [0.55, 0.9, 1.05, 1.05, 0.95] if body else [0.55, 0.9, 1.0, 0.95]


def _draw_stack(canvas: _Canvas, model: PixelCNN, steps: list[float], top: float) -> None:
    """Panel (a): the stack, top to bottom, with the masks of the first layer and the
    body beside them."""
    first, layers, head = model.first, len(model.body), model.head
    channels = first.out_channels
    example = torch.zeros(1, *model.image_shape)
    shapes = {entry["layer"]: _size(entry["output"][1:]) for entry in layer_table(model, example)}
    down = iter(steps)
    canvas.text(0.15, top, "(a) the stack", fontweight="bold", ha="left")
    x, w, mask_x = 1.65, 3.0, 3.9
    y = top - next(down)
    boxes = [canvas.box(x, y, w, 0.55, f"input $x$: {_size(model.image_shape)}, pixels as ±1", kind="data",
                        fontsize=SMALL)]
    k = first.kernel_size[0]
    y -= next(down)
    boxes.append(canvas.box(x, y, w, 0.7, "", kind="network"))
    canvas.text(x, y + 0.13, f"masked conv {k}×{k}, type A", fontsize=SMALL, fontweight="bold")
    canvas.text(x, y - 0.15, f"{first.in_channels} → {channels} channels · {shapes['first']}", fontsize=SMALL)
    _mask_grid(canvas, mask_x, y + 0.1, causal_mask(k, "A"), 0.085)
    canvas.text(mask_x, y - 0.27, "mask A", fontsize=SMALL, va="top")
    if layers:
        kb = model.body[0].kernel_size[0]
        y -= next(down)
        boxes.append(canvas.box(x, y, w, 0.85, "", kind="network"))
        canvas.text(x, y + 0.24, f"{layers} × residual layer, type B", fontsize=SMALL, fontweight="bold")
        canvas.text(x, y, f"$h \\leftarrow h + \\mathrm{{conv}}_{{{kb}\\times{kb}}}(\\mathrm{{ReLU}}(h))$",
                    fontsize=SMALL)
        canvas.text(x, y - 0.25, f"masked {kb}×{kb}, {channels} → {channels} · {shapes['body.0']}", fontsize=SMALL)
        _mask_grid(canvas, mask_x, y + 0.1, causal_mask(kb, "B"), 0.17)
        canvas.text(mask_x, y - 0.2, "mask B", fontsize=SMALL, va="top")
        canvas.text(mask_x + 0.5, y + 0.1, "blue: kept\nwhite: zero\noutline: centre", fontsize=SMALL, ha="left",
                    color="#333333")
    y -= next(down)
    boxes.append(canvas.box(x, y, w, 0.7, "", kind="network"))
    canvas.text(x, y + 0.13, "head: two 1×1 convolutions", fontsize=SMALL, fontweight="bold")
    sizes = [head[1].in_channels, head[1].out_channels, head[3].in_channels, head[3].out_channels]
    canvas.text(x, y - 0.15, "ReLU, {} → {}, ReLU, {} → {}".format(*sizes) + f" · {shapes['head.3']}",
                fontsize=SMALL)
    y -= next(down)
    boxes.append(canvas.box(x, y, w, 0.62, "one logit per pixel:\n$p(x_i = 1 \\mid x_{<i})$", kind="code",
                            fontsize=SMALL))
    for upper, lower in zip(boxes[:-1], boxes[1:]):
        canvas.arrow(upper.side("bottom"), lower.side("top"))


_FIELD_SIDE = 2.9  # inches: the grid of panel (b), about ten pixels a cell for a 28×28 image
_FIELD_H = 0.45 + _FIELD_SIDE + 0.3 + 0.15  # tick labels and "column" under the grid, the title above it


def _draw_field(canvas: _Canvas, roles: np.ndarray, row: int, column: int, top: float,
                side: float = _FIELD_SIDE) -> None:
    """Panel (b): every pixel coloured by its role, the blind spot also hatched, the
    pixel starred, and a legend to the right of the grid."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Rectangle

    height, width = roles.shape
    left = 0.6
    bottom = top - 0.15 - 0.3 - side
    canvas.text(0.15, top - 0.15, f"(b) what pixel (row {row}, column {column}) sees", fontweight="bold", ha="left")
    ax = canvas.figure.add_axes(
        (left / canvas.width, bottom / canvas.height, side / canvas.width, side / canvas.height)
    )
    ax.imshow(roles, cmap=ListedColormap(_ROLE_COLOURS), vmin=-0.5, vmax=len(_ROLES) - 0.5, interpolation="nearest")
    for i, j in np.argwhere(roles == 2):  # hatched as well as coloured: the blind spot reads without its colour
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none", edgecolor="#6B4E00", hatch="////",
                               linewidth=0))
    ax.plot([column], [row], marker="*", color="white", markersize=9, markeredgecolor="black", markeredgewidth=0.6)
    ax.set_xticks(np.arange(-0.5, width, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, height, 1), minor=True)
    ax.grid(which="minor", color="#9A9A9A", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    step = 4 if max(height, width) > 14 else 2
    ax.set_xticks(range(0, width, step))
    ax.set_yticks(range(0, height, step))
    ax.tick_params(labelsize=SMALL)
    ax.set_xlabel("column", fontsize=SMALL, labelpad=1)
    ax.set_ylabel("row", fontsize=SMALL, labelpad=1)
    counts = [int((roles == index).sum()) for index in range(len(_ROLES))]
    handles = [
        Patch(facecolor=colour, edgecolor="#404040", hatch="////" if index == 2 else None,
              label=f"{name} ({counts[index]})" if index else f"{name} (star)")
        for index, (name, colour) in enumerate(zip(_ROLES, _ROLE_COLOURS))
    ]
    anchor = ((left + side + 0.3) / canvas.width, (bottom + side / 2) / canvas.height)
    canvas.figure.legend(handles=handles, loc="center left", bbox_to_anchor=anchor,
                         fontsize=SMALL, frameon=False, handlelength=1.4, borderaxespad=0.2, labelspacing=0.3)
