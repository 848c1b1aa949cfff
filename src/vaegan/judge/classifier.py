"""A small MNIST classifier: the book's objective judge of generated digits.

Three convolutions and two linear layers, about 49,000 parameters (200 KB of
weights, committed in ``vaegan/weights/``), above 99% test accuracy. Its
64-number penultimate layer is the feature space of the Frechet distance in
:mod:`vaegan.judge.metrics`.

A plain classifier is confidently wrong on inputs unlike its training data: one
trained on digits alone calls most images of uniform noise a confident digit.
A judge of generated images must not, so training also shows it non-digits
(noise of several kinds, and two different digits overlaid) and asks for a uniform
prediction on them ("outlier exposure", Hendrycks et al., 2019).

Its training (with the non-digits) is in :mod:`vaegan.judge.training`. Re-create the
weights with::

    python -m vaegan train classifier --out src/vaegan/weights
"""

from __future__ import annotations

from functools import lru_cache

from einops.layers.torch import Rearrange
from torch import Tensor, nn

from vaegan.core.checkpoints import PRETRAINED, load_checkpoint
from vaegan.core.model import BookModel

__all__ = ["MNISTClassifier", "load_classifier", "WEIGHTS"]

WEIGHTS = PRETRAINED / "classifier"


class MNISTClassifier(BookModel):
    """``(b, 1, 28, 28)`` pixels in [0, 1] -> ``(b, 10)`` logits; ``features`` gives the
    ``(b, 64)`` layer before."""

    image_shape = (1, 28, 28)

    def __init__(self, feature_size: int = 64) -> None:
        super().__init__()
        self.config = {"feature_size": feature_size}
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 7x7
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),  # 5x5 -> 2x2
            Rearrange("b c h w -> b (c h w)"),
            nn.Linear(64 * 2 * 2, feature_size), nn.ReLU(),
        )
        self.head = nn.Linear(feature_size, 10)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


@lru_cache(maxsize=1)
def load_classifier() -> MNISTClassifier:
    """The committed classifier (loaded once per process) on the CPU, frozen. It has no
    batch norm or dropout, so its verdict is the same in either mode;
    :mod:`vaegan.judge.metrics` still asks for it in evaluation mode."""
    model, _ = load_checkpoint(WEIGHTS, MNISTClassifier())
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model
