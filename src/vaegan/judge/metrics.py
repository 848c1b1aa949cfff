"""Judging generated digits with the committed MNIST classifier.

Three numbers, each for a batch of images with pixels in [0, 1]:

* :func:`confident_share`: the share the classifier assigns to one digit with
  probability above 0.9 (a digit a reader would recognise scores high; a blur
  between two digits does not);
* :func:`class_histogram` and :func:`class_coverage`: which digits a generator
  produces, and how many of the ten it covers;
* :func:`frechet_distance`: the distance between two sets of images, each
  summarised by the mean and covariance of the classifier's 64 features (the
  recipe of FID, with a feature space that understands digits rather than photos).
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import Tensor

from vaegan.core import data
from vaegan.core.model import mode
from vaegan.judge.classifier import load_classifier

__all__ = [
    "effective_classes",
    "probabilities",
    "confident_share",
    "class_histogram",
    "class_coverage",
    "features",
    "frechet_distance",
    "gaussian_frechet_distance",
    "feature_statistics",
    "checked_pixels",
    "frechet_distance_to_mnist_test",
]


def checked_pixels(images: Tensor, shape: tuple[int, int, int] = (1, 28, 28), minimum: int = 1) -> Tensor:
    """``images`` ``(n, *shape)`` as float pixels in [0, 1] on the CPU, after refusing a wrong shape,
    fewer than ``minimum`` images, non-finite pixels or another scale (every judge's input check)."""
    if images.ndim != 4 or tuple(images.shape[1:]) != tuple(shape):
        kind = "MNIST-shaped images" if tuple(shape) == (1, 28, 28) else "images"
        raise ValueError(f"metrics take {kind} (n, {', '.join(map(str, shape))}), got {tuple(images.shape)}")
    if len(images) < minimum:
        words = {1: 'one image', 2: 'two images'}.get(minimum, f'{minimum} images')
        raise ValueError(f"metrics need at least {words}, "
                         f"got {len(images)}")
    if not bool(torch.isfinite(images).all()):
        bad = int((~torch.isfinite(images)).flatten(1).any(1).sum())
        raise ValueError(
            f"{bad} of {len(images)} images contain NaN or infinite pixels: the model that made them has diverged "
            f"(or its output was not converted to pixels); a verdict on them would be meaningless"
        )
    low, high = images.min().item(), images.max().item()
    if low < -0.5 or high > 1.5:
        raise ValueError(
            f"metrics take pixels in [0, 1], got values from {low:.2f} to {high:.2f}: convert first, "
            f"e.g. model.to_pixels(output) for a model's output, or vaegan.core.scales.to_unit(images, scale)"
        )
    return images.detach().float().cpu().clamp(0, 1)


def _checked(images: Tensor) -> Tensor:
    return checked_pixels(images)


@torch.no_grad()
def _in_batches(model, function, images: Tensor, batch_size: int = 2000) -> Tensor:
    with mode(model):
        return torch.cat([function(images[i : i + batch_size]) for i in range(0, len(images), batch_size)])


def probabilities(images: Tensor, classifier=None) -> Tensor:
    """``(n, 1, 28, 28) -> (n, 10)``: the probability of each digit, by the committed
    classifier (or ``classifier``, e.g. one being trained)."""
    model = classifier if classifier is not None else load_classifier()
    return _in_batches(model, lambda x: model(x).softmax(dim=1), _checked(images))


def confident_share(images: Tensor, threshold: float = 0.9, classifier=None) -> float:
    """The share of images whose most likely digit has probability above
    ``threshold``."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold}")
    return (probabilities(images, classifier).max(dim=1).values > threshold).float().mean().item()


def class_histogram(images: Tensor, threshold: float | None = None) -> Tensor:
    """How many images the classifier assigns to each digit, ``(10,)``; with
    ``threshold``, only confident assignments count."""
    probs = probabilities(images)
    best, digit = probs.max(dim=1)
    if threshold is not None:
        digit = digit[best > threshold]
    return torch.bincount(digit, minlength=10)


def class_coverage(images: Tensor, min_share: float = 0.01, threshold: float = 0.9) -> int:
    """How many digits receive at least ``min_share`` of the images as confident
    assignments."""
    histogram = class_histogram(images, threshold)
    return int((histogram >= max(1.0, min_share * len(images))).sum())


def effective_classes(images: Tensor) -> float:
    """exp(entropy) of the classifier's digit histogram (every image counted by its most
    likely digit): 10 when the images spread evenly over the digits, 1 when they are all
    one digit."""
    histogram = class_histogram(images).double()
    shares = histogram[histogram > 0] / histogram.sum()
    return torch.exp(-(shares * shares.log()).sum()).item()


def features(images: Tensor) -> Tensor:
    """``(n, 1, 28, 28) -> (n, 64)``: the classifier's penultimate layer."""
    model = load_classifier()
    return _in_batches(model, model.features, _checked(images))


def gaussian_frechet_distance(mean_a: Tensor, cov_a: Tensor, mean_b: Tensor, cov_b: Tensor) -> float:
    """``|m_a - m_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))``: the Frechet
    (2-Wasserstein) distance squared between two Gaussians.

    ``tr (C_a C_b)^(1/2)`` is computed as the sum of square roots of the eigenvalues
    of the symmetric ``C_a^(1/2) C_b C_a^(1/2)``, which has the same eigenvalues and
    avoids a non-symmetric matrix square root."""
    mean_a, cov_a, mean_b, cov_b = (t.double() for t in (mean_a, cov_a, mean_b, cov_b))
    values, vectors = torch.linalg.eigh(cov_a)
    root_a = vectors @ torch.diag(values.clamp_min(0).sqrt()) @ vectors.T
    middle = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp_min(0).sqrt().sum()
    return ((mean_a - mean_b).square().sum() + torch.trace(cov_a) + torch.trace(cov_b) - 2 * middle).item()


def feature_statistics(feats: Tensor) -> tuple[Tensor, Tensor]:
    """``(n, d) -> ((d,), (d, d))``: the mean and covariance of a cloud of features, in
    float64."""
    feats = feats.double()
    return feats.mean(dim=0), torch.cov(feats.T)


def frechet_distance(images_a: Tensor, images_b: Tensor) -> float:
    """The Frechet distance between two image sets in the classifier's feature space."""
    if len(images_a) < 2 or len(images_b) < 2:
        raise ValueError("the Frechet distance needs at least two images in each set")
    return gaussian_frechet_distance(*feature_statistics(features(images_a)), *feature_statistics(features(images_b)))


@lru_cache(maxsize=1)
def _mnist_test_statistics() -> tuple[Tensor, Tensor]:
    """Feature mean and covariance of the 10,000 MNIST test digits, computed once per
    process."""
    return feature_statistics(features(data.mnist(train=False).images))


def frechet_distance_to_mnist_test(images: Tensor) -> float:
    """:func:`frechet_distance` from ``images`` to the MNIST test set, whose statistics
    are cached."""
    if len(images) < 2:
        raise ValueError("the Frechet distance needs at least two images in each set")
    return gaussian_frechet_distance(*feature_statistics(features(images)), *_mnist_test_statistics())
