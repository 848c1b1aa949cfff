"""Judging any generative model on its own samples, one way for the book, the command
line and the tests.

Every family draws images the same way, ``model.sample_images(count, seed)`` (see
:class:`vaegan.core.model.GenerativeModel`), so one verdict serves them all: ``samples``
images drawn with a fixed seed, scored by the committed MNIST classifier (confident
share, class coverage, the class histogram) and compared with the MNIST test set in the
classifier's feature space (the Frechet distance, effective classes). Sampling time is
measured on fresh draws.
"""

from __future__ import annotations

import time

from torch import Tensor, nn

from vaegan.judge import metrics

__all__ = ["judge_images", "evaluate_generator", "seconds_per_thousand", "timed_draw"]


def timed_draw(draw) -> tuple[Tensor, float]:
    """The images ``draw()`` returns, and the seconds the draw took per 1,000 of them:
    for a draw whose images are also wanted (a check that a stored set is drawn again)."""
    started = time.perf_counter()
    images = draw()
    return images, (time.perf_counter() - started) * 1000 / len(images)


def seconds_per_thousand(draw, count: int = 1000, repeats: int = 3) -> float:
    """Seconds to draw 1,000 images: the best of ``repeats`` calls of
    ``draw(count, seed)``.

    ``draw`` is a generative model (timed through its ``sample_images``) or any sampler
    ``(count, seed) -> images``."""
    sample = draw.sample_images if isinstance(draw, nn.Module) else draw
    return min(timed_draw(lambda: sample(count, repeat))[1] for repeat in range(repeats))


def judge_images(images: Tensor) -> dict:
    """The classifier's verdict on MNIST-shaped images in [0, 1]: confident share, class
    coverage, confident digits per class, effective classes and the Frechet distance to
    the test set."""
    return {
        "confident_share": metrics.confident_share(images),
        "class_coverage": metrics.class_coverage(images),
        "class_histogram": metrics.class_histogram(images, threshold=0.9).tolist(),
        "effective_classes": metrics.effective_classes(images),
        "frechet_distance": metrics.frechet_distance_to_mnist_test(images),
    }


def evaluate_generator(model: nn.Module, samples: int = 1000, seed: int = 0) -> dict:
    """:func:`judge_images` of ``samples`` draws of a generative model, plus the
    sampling time per 1,000 images. Models of other image shapes (faces) get only the
    sampling time."""
    report = {"samples": samples, "seconds_per_1000": seconds_per_thousand(model)}
    images = model.sample_images(samples, seed=seed)
    if tuple(images.shape[1:]) == (1, 28, 28):
        report.update(judge_images(images))
    return report
