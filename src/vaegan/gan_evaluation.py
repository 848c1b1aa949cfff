"""The numbers the GAN chapters report, computed one way for the book, the command line and the tests.

Every generator is judged on its own samples: ``samples`` images drawn from N(0, I) with a fixed
seed, scored by the committed MNIST classifier (confident share, class coverage, the class
histogram) and compared with the MNIST test set in the classifier's feature space (the Frechet
distance, effective classes). Sampling time is measured on fresh draws of the same size.
"""

from __future__ import annotations

import time

import torch
from torch import Tensor, nn

from vaegan import data, metrics

__all__ = ["generate", "generate_from", "slerp", "walk", "judge_images", "evaluate_generator", "seconds_per_thousand"]


def generate(generator: nn.Module, count: int, seed: int = 0, batch_size: int = 500) -> Tensor:
    """``count`` samples from ``generator`` in [0, 1] pixels, ``(count, c, h, w)``, in eval mode.

    The latents come from a generator seeded with ``seed``, so the same call gives the same images."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    return generate_from(generator, generator.sample_latents(count, torch.Generator().manual_seed(seed)), batch_size)


@torch.no_grad()
def generate_from(generator: nn.Module, latents: Tensor, batch_size: int = 500) -> Tensor:
    """``(n, latent) -> (n, c, h, w)`` images in [0, 1], in eval mode."""
    generator.check_latents(latents)
    was_training = generator.training
    generator.eval()
    device = next(generator.parameters()).device
    images = torch.cat([generator(chunk.to(device)).cpu() for chunk in latents.split(batch_size)])
    generator.train(was_training)
    return data.to_unit(images, generator.output_scale)


def slerp(start: Tensor, end: Tensor, steps: int) -> Tensor:
    """``(d,), (d,) -> (steps, d)``: spherical interpolation from ``start`` to ``end``.

    A straight line between two N(0, I) draws in many dimensions passes through points of
    smaller norm than the prior ever produces (the midpoint's norm is about 0.71 of the ends');
    the great-circle path keeps the norm, so every point looks like a typical draw."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    if start.shape != end.shape or start.dim() != 1:
        raise ValueError(f"start and end must be two vectors of one shape, got {tuple(start.shape)} and {tuple(end.shape)}")
    t = torch.linspace(0, 1, steps, dtype=start.dtype).unsqueeze(1)
    cosine = (start @ end / (start.norm() * end.norm())).clamp(-1, 1)
    angle = torch.arccos(cosine)
    if angle < 1e-4:  # (almost) the same direction: the straight line is the great circle
        return (1 - t) * start + t * end
    return (torch.sin((1 - t) * angle) * start + torch.sin(t * angle) * end) / torch.sin(angle)


def walk(generator: nn.Module, start: Tensor, end: Tensor, steps: int = 9) -> Tensor:
    """The images along the spherical path between latents ``start`` and ``end``: ``(steps, c, h, w)``."""
    return generate_from(generator, slerp(start, end, steps))


def seconds_per_thousand(draw, count: int = 1000, repeats: int = 3) -> float:
    """Seconds to draw 1,000 images: the best of ``repeats`` calls of ``draw(count, seed)``.

    ``draw`` is a generator module (timed through :func:`generate`) or any sampler
    ``(count, seed) -> images``, such as a VAE's decoder applied to prior draws."""
    sample = (lambda n, seed: generate(draw, n, seed=seed)) if isinstance(draw, nn.Module) else draw
    best = float("inf")
    for repeat in range(repeats):
        started = time.perf_counter()
        sample(count, repeat)
        best = min(best, time.perf_counter() - started)
    return best * 1000 / count


def judge_images(images: Tensor) -> dict:
    """The classifier's verdict on MNIST-shaped images in [0, 1]: confident share, class coverage,
    confident digits per class, effective classes and the Frechet distance to the test set."""
    return {
        "confident_share": metrics.confident_share(images),
        "class_coverage": metrics.class_coverage(images),
        "class_histogram": metrics.class_histogram(images, threshold=0.9).tolist(),
        "effective_classes": metrics.effective_classes(images),
        "frechet_distance": metrics.frechet_distance_to_mnist_test(images),
    }


def evaluate_generator(generator: nn.Module, samples: int = 1000, seed: int = 0) -> dict:
    """:func:`judge_images` of ``samples`` draws, plus the sampling time per 1,000 images.
    Generators of other image shapes (faces) get only the sampling time."""
    report = {"samples": samples, "seconds_per_1000": seconds_per_thousand(generator)}
    images = generate(generator, samples, seed=seed)
    if tuple(images.shape[1:]) == (1, 28, 28):
        report.update(judge_images(images))
    return report
