"""Autoencoders and variational autoencoders.

The convolutional models follow the ARENA course: two strided convolutions
(16 then 32 channels, kernel 4, stride 2, padding 1, no bias) and two linear
layers compress a 28x28 digit to ``latent_size`` numbers; the decoder mirrors
the encoder with transposed convolutions and ends with no activation, so it can
produce any real value (the images it learns to match are standardised).

``channels`` generalises the stack: ``(16, 32)`` for MNIST, four stages for
64x64 faces. ``conv_transpose`` picks PyTorch's ``nn.ConvTranspose2d``
(``"torch"``) or the from-scratch one of chapter 1 (``"vaegan"``); both have the
same parameters, so their ``state_dict``s are interchangeable.

The MLP VAE has the seminar's 784-400-20 network (with a Bernoulli decoder where the
seminar uses a summed squared error on grey digits), kept to contrast a fully connected
encoder with a convolutional one.

Every model here is a :class:`vaegan.core.model.LatentVariableModel`: it records the
scale of its decoder's output (``output_scale``: ``standard`` for ARENA's standardised
digits, ``logits`` for a Bernoulli decoder, ``symmetric`` for faces in [-1, 1]), so
``model.to_pixels(decoded)`` and ``model.sample_images(count, seed)`` need nothing else.
The two VAEs share one :class:`Variational` base: it is how the package asks "is this a
VAE".
"""

from __future__ import annotations

from typing import Sequence

import torch
from einops.layers.torch import Rearrange
from torch import Tensor, nn

from vaegan.convtranspose.operations import ConvTranspose2d as ScratchConvTranspose2d
from vaegan.core.model import LatentVariableModel
from vaegan.core.scales import OUTPUT_SCALES

__all__ = [
    "Autoencoder",
    "VAE",
    "MLPVAE",
    "Variational",
    "is_variational",
    "conv_encoder",
    "conv_decoder",
    "CONV_TRANSPOSES",
]

#: The two interchangeable transposed convolutions.
CONV_TRANSPOSES = {"torch": nn.ConvTranspose2d, "vaegan": ScratchConvTranspose2d}


def _check_sizes(
    image_shape: Sequence[int],
    channels: Sequence[int],
    hidden_size: int,
    latent_size: int,
    output_scale: str,
) -> tuple:
    if output_scale not in OUTPUT_SCALES:
        raise ValueError(
            f"output_scale must be one of {', '.join(OUTPUT_SCALES)}, got "
            f"{output_scale!r}"
        )
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) != 3 or min(image_shape) <= 0:
        raise ValueError(
            "image_shape must be (channels, height, width) with positive sizes, got "
            f"{image_shape}"
        )
    if not channels or min(channels) <= 0:
        raise ValueError(
            f"channels must be a non-empty list of positive sizes, got {list(channels)}"
        )
    if hidden_size <= 0:
        raise ValueError(f"hidden_size must be positive, got {hidden_size}")
    if latent_size <= 0:
        raise ValueError(
            f"latent_size must be at least 1, got {latent_size} (the code needs at "
            "least one number)"
        )
    factor = 2 ** len(channels)
    if image_shape[1] % factor or image_shape[2] % factor:
        raise ValueError(
            f"{len(channels)} stride-2 stages need height and width divisible by "
            f"{factor}; got {image_shape[1:]}"
        )
    return image_shape


def conv_encoder(
    image_shape: Sequence[int], channels: Sequence[int], hidden_size: int, out_size: int
) -> nn.Sequential:
    """``(b, c, h, w) -> (b, out_size)``: strided convolutions, then two linear
    layers."""
    layers: list[nn.Module] = []
    previous = image_shape[0]
    for width in channels:
        layers += [
            nn.Conv2d(previous, width, 4, stride=2, padding=1, bias=False),
            nn.ReLU(),
        ]
        previous = width
    height, width_ = image_shape[1] // 2 ** len(channels), image_shape[2] // 2 ** len(
        channels
    )
    layers += [
        Rearrange("b c h w -> b (c h w)"),
        nn.Linear(previous * height * width_, hidden_size),
        nn.ReLU(),
        nn.Linear(hidden_size, out_size),
    ]
    return nn.Sequential(*layers)


def conv_decoder(
    image_shape: Sequence[int],
    channels: Sequence[int],
    hidden_size: int,
    latent_size: int,
    conv_transpose: str = "torch",
) -> nn.Sequential:
    """``(b, latent_size) -> (b, c, h, w)``: the encoder in reverse, no final
    activation."""
    if conv_transpose not in CONV_TRANSPOSES:
        raise ValueError(
            f"conv_transpose must be one of {sorted(CONV_TRANSPOSES)}, got "
            f"{conv_transpose!r}"
        )
    Transposed = CONV_TRANSPOSES[conv_transpose]
    height, width = image_shape[1] // 2 ** len(channels), image_shape[2] // 2 ** len(
        channels
    )
    layers: list[nn.Module] = [
        nn.Linear(latent_size, hidden_size),
        nn.ReLU(),
        nn.Linear(hidden_size, channels[-1] * height * width),
        nn.ReLU(),
        Rearrange("b (c h w) -> b c h w", c=channels[-1], h=height, w=width),
    ]
    outputs = list(reversed(channels[:-1])) + [image_shape[0]]
    previous = channels[-1]
    for index, out in enumerate(outputs):
        layers.append(Transposed(previous, out, 4, stride=2, padding=1, bias=False))
        if index < len(outputs) - 1:  # no activation after the last layer
            layers.append(nn.ReLU())
        previous = out
    return nn.Sequential(*layers)


class _ImageModel(LatentVariableModel):
    """An autoencoder: shape checks, config and sampling from
    :class:`LatentVariableModel`, plus ``decode``."""

    def decode(self, z: Tensor) -> Tensor:
        """``(b, latent) -> (b, c, h, w)``, in the model's output scale."""
        self.check_latents(z)
        return self.decoder(z)

    def decode_latents(self, z: Tensor) -> Tensor:
        return self.decoder(z)

    def encode_mean(self, x: Tensor) -> Tensor:
        """``(b, c, h, w) -> (b, latent)``: the code (for a VAE, the posterior mean)."""
        return self.encoder(x)


class _ConvAutoencoder(_ImageModel):
    """The shared shape of the convolutional models: one constructor, one decoder;
    subclasses say what the encoder's last layer outputs."""

    def __init__(
        self,
        latent_size: int = 5,
        hidden_size: int = 128,
        image_shape: Sequence[int] = (1, 28, 28),
        channels: Sequence[int] = (16, 32),
        conv_transpose: str = "torch",
        output_scale: str = "standard",
    ) -> None:
        super().__init__()
        self.image_shape = _check_sizes(
            image_shape, channels, hidden_size, latent_size, output_scale
        )
        self.latent_size, self.hidden_size, self.output_scale = (
            latent_size,
            hidden_size,
            output_scale,
        )
        # JSON values only: this is what a checkpoint records to rebuild the model
        self.config = dict(
            latent_size=latent_size,
            hidden_size=hidden_size,
            image_shape=list(self.image_shape),
            channels=list(channels),
            conv_transpose=conv_transpose,
            output_scale=output_scale,
        )
        self.encoder = self._make_encoder(channels)
        self.decoder = conv_decoder(
            self.image_shape, channels, hidden_size, latent_size, conv_transpose
        )

    def _make_encoder(self, channels: Sequence[int]) -> nn.Module:
        raise NotImplementedError


class Autoencoder(_ConvAutoencoder):
    """``encoder: (b, c, h, w) -> (b, latent)``,
    ``decoder: (b, latent) -> (b, c, h, w)``."""

    def _make_encoder(self, channels: Sequence[int]) -> nn.Module:
        return conv_encoder(
            self.image_shape, channels, self.hidden_size, self.latent_size
        )

    def encode(self, x: Tensor) -> Tensor:
        self.check_images(x)
        return self.encoder(x)

    def forward(self, x: Tensor) -> Tensor:
        """The reconstruction of ``x``."""
        return self.decoder(self.encode(x))


class Variational(_ImageModel):
    """A VAE: the encoder returns mean and log standard deviation stacked as
    ``(2, b, latent)``; ``forward`` samples a latent vector with the reparameterisation
    trick and decodes it.
    """

    def sample_latent_vector(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(z, mu, log_sigma)``, each ``(b, latent)``, with ``z = mu + sigma * eps``,
        ``eps ~ N(0, I)``."""
        self.check_images(x)
        mu, log_sigma = self.encoder(x)
        z = mu + torch.exp(log_sigma) * torch.randn_like(mu)
        return z, mu, log_sigma

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(reconstruction, mu, log_sigma)``."""
        z, mu, log_sigma = self.sample_latent_vector(x)
        return self.decoder(z), mu, log_sigma

    def encode_mean(self, x: Tensor) -> Tensor:
        return self.encoder(x)[0]


def is_variational(model: nn.Module) -> bool:
    """Whether ``model`` is a VAE (its encoder gives a distribution, not a point)."""
    return isinstance(model, Variational)


class VAE(_ConvAutoencoder, Variational):
    """The convolutional VAE: the autoencoder's network with an encoder of
    ``(mu, log sigma)``."""

    def _make_encoder(self, channels: Sequence[int]) -> nn.Module:
        return nn.Sequential(
            *conv_encoder(
                self.image_shape, channels, self.hidden_size, 2 * self.latent_size
            ),
            # one linear layer gives both statistics; split them so that [0] is mu and
            # [1] is log sigma
            Rearrange("b (two latent) -> two b latent", two=2),
        )


class MLPVAE(Variational):
    """The seminar's fully connected VAE network: 784 -> 400 -> (mu, log sigma) of size
    20 -> 400 -> 784.

    Same interface as :class:`VAE`; the decoder returns one number per pixel with no
    activation (logits when trained with a Bernoulli likelihood, as the book does; the
    seminar trains the same network on a summed squared error plus a summed KL, on grey
    digits).
    """

    def __init__(
        self,
        latent_size: int = 20,
        hidden_size: int = 400,
        image_shape: Sequence[int] = (1, 28, 28),
        output_scale: str = "logits",
    ) -> None:
        super().__init__()
        self.image_shape = _check_sizes(
            image_shape, [1], hidden_size, latent_size, output_scale
        )
        self.latent_size, self.hidden_size, self.output_scale = (
            latent_size,
            hidden_size,
            output_scale,
        )
        self.config = dict(
            latent_size=latent_size,
            hidden_size=hidden_size,
            image_shape=list(self.image_shape),
            output_scale=output_scale,
        )
        c, h, w = self.image_shape
        self.encoder = nn.Sequential(
            Rearrange("b c h w -> b (c h w)"),
            nn.Linear(c * h * w, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, 2 * latent_size),
            Rearrange("b (two latent) -> two b latent", two=2),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_size, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, c * h * w),
            Rearrange("b (c h w) -> b c h w", c=c, h=h, w=w),
        )
