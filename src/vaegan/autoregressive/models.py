"""Autoregressive models of binary images: p(x) = prod_i p(x_i | x_<i) in raster order.

* :class:`PixelLSTM`: the seminar's model. Each pixel in {0, 1} (and a start token, 2)
  is embedded, an LSTM reads the sequence, and a linear head gives the logit of the next
  pixel being 1. Training feeds the true previous pixels (teacher forcing); sampling
  feeds its own draws back, one pixel at a time, carrying the LSTM state.
* :class:`PixelCNN`: van den Oord et al. (2016). Masked convolutions see only the pixels
  above and to the left: the first layer's mask (type A) also hides the centre pixel,
  the later layers' masks (type B) let a position see its own features, which by then
  only summarise earlier pixels. All 784 conditionals come out of one forward pass in
  training; sampling still needs one pass per pixel.

Both return logits ``(b, 1, 28, 28)`` whose pixel i depends only on pixels before i, so
``log_likelihood`` is exact: the negative binary cross-entropy summed over the image, in
nats.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from vaegan.core.model import BookModel, GenerativeModel, mode

__all__ = [
    "PixelLSTM",
    "PixelCNN",
    "MaskedConv2d",
    "Autoregressive",
    "causal_mask",
    "sequence_nll",
    "log_likelihood",
    "START_TOKEN",
]

START_TOKEN = (
    2  # the pixels are 0 and 1; the token before the first pixel is a third symbol
)


def _check_binary(model: BookModel, x: Tensor) -> None:
    model.check_images(x)
    if not bool(((x == 0) | (x == 1)).all()):
        raise ValueError(
            f"{type(model).__name__} models binary images (every pixel 0 or 1); "
            "binarise them first, "
            f"e.g. vaegan.core.scales.binarize(images, generator)"
        )


class Autoregressive(GenerativeModel):
    """What both models share: ``sample(count, generator, given)`` draws pixel by pixel
    (each model its own way), and ``sample_images`` draws in seeded chunks, so any chunk
    can be re-drawn alone.
    """

    def sample(
        self,
        count: int,
        generator: torch.Generator | None = None,
        given: Tensor | None = None,
    ) -> Tensor:
        raise NotImplementedError

    def sample_images(self, count: int, seed: int = 0, chunk: int = 100) -> Tensor:
        """``count`` samples ``(count, 1, 28, 28)``, drawn ``chunk`` at a time in
        evaluation mode; chunk ``i`` uses a generator seeded ``seed + i``, so any one
        chunk can be drawn again on its own and compared."""
        if count < 1 or chunk < 1:
            raise ValueError(
                f"count and chunk must be at least 1, got {count} and {chunk}"
            )
        with mode(self):
            images = [
                self.sample(
                    min(chunk, count - start),
                    torch.Generator().manual_seed(seed + index),
                )
                for index, start in enumerate(range(0, count, chunk))
            ]
        return torch.cat(images)


class PixelLSTM(Autoregressive):
    """``(b, 1, h, w)`` binary images -> ``(b, 1, h, w)`` logits of p(x_i = 1 |
    x_<i)."""

    def __init__(
        self, hidden_size: int = 512, image_shape: Sequence[int] = (1, 28, 28)
    ) -> None:
        super().__init__()
        if hidden_size < 1:
            raise ValueError(f"PixelLSTM: hidden_size must be >= 1, got {hidden_size}")
        if image_shape[0] != 1:
            raise ValueError(
                "PixelLSTM models one binary channel, got image_shape "
                f"{tuple(image_shape)}"
            )
        self.image_shape = tuple(image_shape)
        self.config = {"hidden_size": hidden_size, "image_shape": list(image_shape)}
        self.embed = nn.Embedding(3, hidden_size)
        self.rnn = nn.LSTM(hidden_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: Tensor) -> Tensor:
        _check_binary(self, x)
        pixels = rearrange(x, "b c h w -> b (c h w)").long()
        start = torch.full_like(pixels[:, :1], START_TOKEN)
        inputs = torch.cat(
            [start, pixels[:, :-1]], dim=1
        )  # teacher forcing: position i reads pixel i - 1
        hidden, _ = self.rnn(self.embed(inputs))
        logits = self.head(hidden).squeeze(-1)  # (b, h*w)
        return rearrange(
            logits,
            "b (c h w) -> b c h w",
            c=1,
            h=self.image_shape[1],
            w=self.image_shape[2],
        )

    @torch.no_grad()
    def sample(
        self,
        count: int,
        generator: torch.Generator | None = None,
        given: Tensor | None = None,
    ) -> Tensor:
        """``count`` images ``(count, 1, h, w)``; with ``given`` (``(count, k)`` first
        pixels in raster order), those pixels are kept and the rest sampled: image
        completion."""
        device = next(self.parameters()).device
        total = self.image_shape[1] * self.image_shape[2]
        known = 0 if given is None else given.shape[1]
        if given is not None and (
            given.ndim != 2 or given.shape[0] != count or known > total
        ):
            raise ValueError(
                f"given must be (count, k) with k <= {total} pixels, got "
                f"{tuple(given.shape)}"
            )
        pixels = torch.zeros(count, total, dtype=torch.long, device=device)
        token = torch.full((count, 1), START_TOKEN, dtype=torch.long, device=device)
        state = None
        for index in range(total):
            output, state = self.rnn(
                self.embed(token), state
            )  # one step, the state carried
            if index < known:
                pixel = given[:, index].long().to(device)
            else:
                probability = torch.sigmoid(self.head(output[:, -1]).squeeze(-1)).cpu()
                pixel = (
                    torch.bernoulli(probability, generator=generator).long().to(device)
                )
            pixels[:, index] = pixel
            token = pixel.unsqueeze(1)
        return rearrange(
            pixels.float(),
            "b (c h w) -> b c h w",
            c=1,
            h=self.image_shape[1],
            w=self.image_shape[2],
        ).cpu()


def causal_mask(kernel_size: int, mask_type: str) -> Tensor:
    """The ``(kernel_size, kernel_size)`` mask of a PixelCNN layer, 1 where the kernel
    may look: every row above the centre and the centre row left of the centre; type
    ``"B"`` also the centre itself, type ``"A"`` not. ``kernel_size`` must be odd, so
    that the kernel has a centre.
    """
    if mask_type not in ("A", "B"):
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
    if kernel_size % 2 != 1:
        raise ValueError(
            f"kernel_size must be odd so the kernel has a centre, got {kernel_size}"
        )
    centre = kernel_size // 2
    mask = torch.ones(kernel_size, kernel_size)
    mask[centre, centre + (mask_type == "B") :] = (
        0  # the centre row: from the centre (A) or after it (B)
    )
    mask[centre + 1 :] = 0  # every row below
    return mask


class MaskedConv2d(nn.Conv2d):
    """A convolution whose kernel is zero at and after the centre in raster order
    (:func:`causal_mask`).

    Type ``"A"`` also zeroes the centre (the first layer: a pixel must not see itself);
    type ``"B"`` keeps it (later layers: the centre holds features of earlier pixels
    only).
    """

    def __init__(
        self, mask_type: str, in_channels: int, out_channels: int, kernel_size: int
    ) -> None:
        mask = causal_mask(kernel_size, mask_type)
        super().__init__(
            in_channels, out_channels, kernel_size, padding=kernel_size // 2
        )
        self.mask_type = mask_type
        self.register_buffer("mask", mask.expand_as(self.weight).clone())

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class PixelCNN(Autoregressive):
    """``(b, 1, h, w)`` binary images -> ``(b, 1, h, w)`` logits: a 7x7 type-A masked
    convolution, ``layers`` 3x3 type-B masked convolutions with residual connections,
    and two 1x1 layers.
    """

    def __init__(
        self,
        channels: int = 64,
        layers: int = 5,
        image_shape: Sequence[int] = (1, 28, 28),
    ) -> None:
        super().__init__()
        if channels < 1 or layers < 0:
            raise ValueError(
                f"PixelCNN: channels must be >= 1 and layers >= 0, got {channels} and "
                f"{layers}"
            )
        if image_shape[0] != 1:
            raise ValueError(
                "PixelCNN models one binary channel, got image_shape "
                f"{tuple(image_shape)}"
            )
        self.image_shape = tuple(image_shape)
        self.config = {
            "channels": channels,
            "layers": layers,
            "image_shape": list(image_shape),
        }
        self.first = MaskedConv2d("A", 1, channels, 7)
        self.body = nn.ModuleList(
            MaskedConv2d("B", channels, channels, 3) for _ in range(layers)
        )
        self.head = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(channels, channels, 1),
            nn.ReLU(),
            nn.Conv2d(channels, 1, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        _check_binary(self, x)
        return self.band_logits(x)

    def band_logits(self, rows: Tensor) -> Tensor:
        """Logits for a band of full-width rows ``(b, 1, k, w) -> (b, 1, k, w)``, as if
        the band were the top of an image: the convolutions pad it with zeros above.
        :meth:`sample` feeds it the rows a pixel can see (see :attr:`reach`)."""
        if (
            rows.ndim != 4
            or rows.shape[1] != 1
            or rows.shape[3] != self.image_shape[2]
            or rows.shape[2] > self.image_shape[1]
        ):
            raise ValueError(
                f"band_logits takes (batch, 1, rows <= {self.image_shape[1]}, "
                f"{self.image_shape[2]}), got {tuple(rows.shape)}"
            )
        features = self.first(
            2 * rows - 1
        )  # pixels as -1 / +1: a zero input then means "not seen"
        for layer in self.body:
            features = features + layer(F.relu(features))
        return self.head(features)

    @torch.no_grad()
    def sample(
        self,
        count: int,
        generator: torch.Generator | None = None,
        given: Tensor | None = None,
    ) -> Tensor:
        """As :meth:`PixelLSTM.sample`: one forward pass per pixel, ``given`` pixels
        kept."""
        device = next(self.parameters()).device
        _, height, width = self.image_shape
        known = 0 if given is None else given.shape[1]
        if given is not None and (
            given.ndim != 2 or given.shape[0] != count or known > height * width
        ):
            raise ValueError(
                f"given must be (count, k) with k <= {height * width} pixels, got "
                f"{tuple(given.shape)}"
            )
        images = torch.zeros(count, 1, height, width, device=device)
        flat = images.view(count, -1)
        if known:
            flat[:, :known] = given.float().to(device)
        for index in range(known, height * width):
            row, column = divmod(index, width)
            # Only the rows a pixel can see go through the network: the output does not
            # depend on rows further up than `reach`, and none of the rows below exist
            # yet (see `reach`).
            top = max(0, row - self.reach)
            probability = torch.sigmoid(
                self.band_logits(images[:, :, top : row + 1])[:, 0, row - top, column]
            ).cpu()
            flat[:, index] = torch.bernoulli(probability, generator=generator).to(
                device
            )
        return images.cpu()

    @property
    def reach(self) -> int:
        """How many rows above the window's top row cropping may disturb, and so how
        many rows above a pixel the sampler feeds in: the 7x7 first layer sees 3 rows
        up, each 3x3 layer one more.

        Cutting the image at row ``top`` replaces the rows above by zero padding. The
        first layer's outputs on the window's top 3 rows change; each later layer
        spreads the change one row further down; so rows ``top + reach`` and below
        (``reach = 3 + layers``) are exact. The sampler keeps ``reach`` rows above the
        current one, a window of ``reach + 1`` rows instead of 28: about four times
        fewer operations for the book's 3-layer model.
        """
        return self.first.kernel_size[0] // 2 + len(self.body)


def sequence_nll(logits: Tensor, pixels: Tensor) -> Tensor:
    """Each sequence's negative log-likelihood in nats, ``(b, ...) -> (b,)``: minus the
    sum over its positions of log p(pixel | logit), where p(1) = sigmoid(logit).
    ``logits`` and the binary ``pixels`` have the same shape, ``(b, n)`` or
    ``(b, 1, h, w)``."""
    return (
        F.binary_cross_entropy_with_logits(logits, pixels, reduction="none")
        .flatten(1)
        .sum(1)
    )


def log_likelihood(model: nn.Module, images: Tensor, batch_size: int = 500) -> Tensor:
    """Exact log p(x) in nats for each binary image ``(n, 1, h, w) -> (n,)``."""
    device = next(model.parameters()).device
    values = []
    with torch.no_grad(), mode(model):
        for chunk in images.split(batch_size):
            chunk = chunk.to(device)
            values.append(-sequence_nll(model(chunk), chunk).cpu())
    return torch.cat(values)
