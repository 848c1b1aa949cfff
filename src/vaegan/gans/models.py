"""Generators and discriminators for the GAN chapters.

* :class:`MLPGenerator` / :class:`MLPDiscriminator`: the seminar's fully connected
  GAN (one hidden layer of 400 GELU units each way, latent size 20).
* :class:`DCGANGenerator` / :class:`DCGANDiscriminator`: Radford et al.'s DCGAN in
  the ARENA course's parameterisation. The generator projects ``z`` with a linear
  layer to ``hidden_channels[-1]`` maps of size ``image / 2**len(hidden_channels)``,
  then each stride-2 transposed convolution doubles the size and steps down the
  channel list, ending in ``tanh``. The discriminator mirrors it with stride-2
  convolutions and LeakyReLU(0.2), ending in one linear logit. Batch norm
  everywhere except the generator's output and the discriminator's input.

Discriminators return *logits* (no sigmoid): the losses use
``binary_cross_entropy_with_logits``, which is exact where ``log(sigmoid(.))`` would
round to ``-inf``. ``norm`` picks the discriminator's normalisation: ``"batch"``
(DCGAN), ``"none"`` (the WGAN-GP critic: the gradient penalty is per sample, and batch
norm would mix samples) or ``"spectral"`` (spectral normalisation on every weight, no
batch norm).
"""

from __future__ import annotations

from typing import Sequence

import torch
from einops.layers.torch import Rearrange
from torch import Tensor, nn

from vaegan.core.model import BookModel, LatentVariableModel

__all__ = [
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
    "initialise_dcgan",
    "NORMS",
]

NORMS = ("batch", "none", "spectral")


def _check_image_shape(image_shape: Sequence[int], stages: int) -> tuple[int, int, int]:
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) != 3 or min(image_shape) <= 0:
        raise ValueError(
            "image_shape must be (channels, height, width) with positive sizes, got "
            f"{image_shape}"
        )
    if image_shape[1] != image_shape[2]:
        raise ValueError(
            f"DCGAN images are square, got {image_shape[1]}x{image_shape[2]}"
        )
    if image_shape[1] % 2**stages:
        raise ValueError(
            f"{stages} stride-2 stages need the image size to be divisible by "
            f"{2**stages}, got {image_shape[1]}; "
            f"use fewer hidden_channels or another image size"
        )
    return image_shape


class _Generator(LatentVariableModel):
    """A generator is a latent-variable model whose forward pass is the decoder:
    ``sample_images``, ``decode_images`` and ``sample_latents`` come from
    :class:`LatentVariableModel`."""

    decode_batch_size = 500

    def decode_latents(self, z: Tensor) -> Tensor:
        return self(z)


class MLPGenerator(_Generator):
    """``(b, latent) -> (b, c, h, w)`` pixels in [0, 1] (sigmoid output), as in the
    seminar."""

    output_scale = "unit"

    def __init__(
        self,
        latent_size: int = 20,
        hidden_size: int = 400,
        image_shape: Sequence[int] = (1, 28, 28),
    ) -> None:
        super().__init__()
        if latent_size < 1 or hidden_size < 1:
            raise ValueError(
                f"latent_size and hidden_size must be at least 1, got {latent_size} "
                f"and {hidden_size}"
            )
        self.latent_size, self.image_shape = latent_size, tuple(image_shape)
        self.config = dict(
            latent_size=latent_size,
            hidden_size=hidden_size,
            image_shape=list(self.image_shape),
        )
        c, h, w = self.image_shape
        self.net = nn.Sequential(
            nn.Linear(latent_size, hidden_size),
            nn.GELU(),
            nn.Linear(hidden_size, c * h * w),
            nn.Sigmoid(),
            Rearrange("b (c h w) -> b c h w", c=c, h=h, w=w),
        )

    def forward(self, z: Tensor) -> Tensor:
        self.check_latents(z)
        return self.net(z)


class MLPDiscriminator(BookModel):
    """``(b, c, h, w) -> (b,)`` logits: one hidden layer of GELU units."""

    def __init__(
        self, hidden_size: int = 400, image_shape: Sequence[int] = (1, 28, 28)
    ) -> None:
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.config = dict(hidden_size=hidden_size, image_shape=list(self.image_shape))
        c, h, w = self.image_shape
        self.net = nn.Sequential(
            Rearrange("b c h w -> b (c h w)"),
            nn.Linear(c * h * w, hidden_size),
            nn.GELU(),
            nn.Linear(hidden_size, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        self.check_images(x)
        return self.net(x)[:, 0]


def _same_size_layers(channels: int, count: int) -> list[nn.Module]:
    """``count`` blocks of a stride-1 3x3 convolution, batch norm and ReLU: more depth,
    the same size."""
    layers: list[nn.Module] = []
    for _ in range(count):
        layers += [
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
        ]
    return layers


class DCGANGenerator(_Generator):
    """``(b, latent) -> (b, c, h, w)`` pixels in [-1, 1] (tanh output).

    ARENA's CelebA configuration is the default: latent 100, hidden channels
    (128, 256, 512), 64x64x3 images, so ``z`` is projected to 512 maps of 8x8.

    ``extra_layers`` adds that many stride-1 3x3 convolutions (each with batch norm and
    ReLU) at every size before the image, as the "extra layers" of Radford et al.'s code
    do: depth without more upsampling. On 28x28 digits, where two stages is all the
    size allows, one extra layer a size trained 6 epochs beats the 20-epoch reference
    generator (measured in the ``dcgan_mnist`` recipe's comment)."""

    output_scale = "symmetric"

    def __init__(
        self,
        latent_size: int = 100,
        hidden_channels: Sequence[int] = (128, 256, 512),
        image_shape: Sequence[int] = (3, 64, 64),
        extra_layers: int = 0,
    ) -> None:
        super().__init__()
        if latent_size < 1 or not hidden_channels or min(hidden_channels) < 1:
            raise ValueError(
                "need latent_size >= 1 and positive hidden_channels, got "
                f"{latent_size} and {list(hidden_channels)}"
            )
        if not isinstance(extra_layers, int) or extra_layers < 0:
            raise ValueError(
                f"extra_layers must be an int >= 0, got {extra_layers!r}"
            )
        self.image_shape = _check_image_shape(image_shape, len(hidden_channels))
        self.latent_size = latent_size
        self.config = dict(
            latent_size=latent_size,
            hidden_channels=list(hidden_channels),
            image_shape=list(self.image_shape),
        )
        if extra_layers:  # recorded only when used: older checkpoints keep their config
            self.config["extra_layers"] = extra_layers
        first = self.image_shape[1] // 2 ** len(hidden_channels)
        widest = hidden_channels[-1]
        layers: list[nn.Module] = [
            nn.Linear(latent_size, widest * first * first, bias=False),
            Rearrange("b (c h w) -> b c h w", c=widest, h=first, w=first),
            nn.BatchNorm2d(widest),
            nn.ReLU(),
            *_same_size_layers(widest, extra_layers),
        ]
        # each stage doubles the size and steps down the channel list; the last one
        # makes the image
        outputs = list(reversed(hidden_channels[:-1])) + [self.image_shape[0]]
        previous = widest
        for index, out in enumerate(outputs):
            layers.append(
                nn.ConvTranspose2d(previous, out, 4, stride=2, padding=1, bias=False)
            )
            layers += (
                [nn.BatchNorm2d(out), nn.ReLU(), *_same_size_layers(out, extra_layers)]
                if index < len(outputs) - 1
                else [nn.Tanh()]
            )
            previous = out
        self.net = nn.Sequential(*layers)
        initialise_dcgan(self)

    def forward(self, z: Tensor) -> Tensor:
        self.check_latents(z)
        return self.net(z)


class DCGANDiscriminator(BookModel):
    """``(b, c, h, w) -> (b,)`` logits: stride-2 convolutions, LeakyReLU(0.2), one
    linear layer."""

    def __init__(
        self,
        hidden_channels: Sequence[int] = (128, 256, 512),
        image_shape: Sequence[int] = (3, 64, 64),
        norm: str = "batch",
    ) -> None:
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, got {norm!r}")
        if not hidden_channels or min(hidden_channels) < 1:
            raise ValueError(
                f"hidden_channels must be positive sizes, got {list(hidden_channels)}"
            )
        self.image_shape = _check_image_shape(image_shape, len(hidden_channels))
        self.config = dict(
            hidden_channels=list(hidden_channels),
            image_shape=list(self.image_shape),
            norm=norm,
        )
        wrap = (
            nn.utils.parametrizations.spectral_norm
            if norm == "spectral"
            else (lambda layer: layer)
        )
        last = self.image_shape[1] // 2 ** len(hidden_channels)
        layers: list[nn.Module] = []
        previous = self.image_shape[0]
        for index, width in enumerate(hidden_channels):
            layers.append(
                wrap(nn.Conv2d(previous, width, 4, stride=2, padding=1, bias=False))
            )
            if norm == "batch" and index > 0:  # never on the input layer
                layers.append(nn.BatchNorm2d(width))
            layers.append(nn.LeakyReLU(0.2))
            previous = width
        layers += [
            Rearrange("b c h w -> b (c h w)"),
            wrap(nn.Linear(previous * last * last, 1, bias=False)),
        ]
        self.net = nn.Sequential(*layers)
        initialise_dcgan(self)

    def forward(self, x: Tensor) -> Tensor:
        self.check_images(x)
        return self.net(x)[:, 0]


@torch.no_grad()
def initialise_dcgan(model: nn.Module) -> nn.Module:
    """Radford et al.'s initialisation: convolution and linear weights from N(0, 0.02),
    batch-norm scales from N(1, 0.02) and shifts 0."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            # with spectral norm the raw weight lives in
            # parametrizations.weight.original
            weight = (
                module.parametrizations.weight.original
                if hasattr(module, "parametrizations")
                else module.weight
            )
            nn.init.normal_(weight, 0.0, 0.02)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)
    return model
