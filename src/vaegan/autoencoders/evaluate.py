"""The numbers the autoencoder chapters report, computed one way for the book,
the command line and the tests."""

from __future__ import annotations

import torch

from vaegan.autoencoders import latent
from vaegan.autoencoders.losses import gaussian_kl, hoyer_sparsity
from vaegan.autoencoders.models import is_variational
from vaegan.core import data, scales
from vaegan.core.model import mode
from vaegan.judge import metrics

__all__ = ["evaluation_images", "evaluate_autoencoder"]


def evaluation_images(model, limit: int | None = None) -> data.ImageTensors:
    """The test images ``model`` is scored on, in the scale it reads: MNIST's test
    digits, or the test faces for a three-channel model."""
    if model.image_shape[0] == 3:
        return data.celeba_tensors("test", limit=limit)
    return data.mnist(train=False, scale=scales.data_scale(model.output_scale), limit=limit)


@torch.no_grad()
def evaluate_autoencoder(
    model,
    samples: int = 1000,
    noise_std: float = 0.4,
    test_limit: int | None = None,
    seed: int = 0,
    test: data.ImageTensors | None = None,
) -> dict:
    """Reconstruction error (clean and noisy inputs) against the mean-image baseline,
    code sparsity, a VAE's KL, and for MNIST the classifier's verdict on ``samples``
    decoded draws from N(0, I) (their Frechet distance is to the test set).

    Errors are mean squared errors per pixel, with pixels in [0, 1] whatever the
    run's scale, so models trained on different scales compare directly. ``test`` reuses
    test images already loaded (in the model's scale) instead of loading them again."""
    test = test if test is not None else evaluation_images(model, test_limit)
    generator = torch.Generator().manual_seed(seed)
    noisy = scales.add_pixel_noise(test.images, noise_std, test.scale, generator)
    reconstructed = model.to_pixels(latent.reconstruct(model, test.images))
    reconstructed_noisy = model.to_pixels(latent.reconstruct(model, noisy))
    target = scales.to_unit(test.images, test.scale)
    mean_image = target.mean(dim=0, keepdim=True)
    codes = latent.encode(model, test.images)
    report = {
        "test_images": len(test),
        "reconstruction_mse": (reconstructed - target).square().mean().item(),
        "noisy_reconstruction_mse": (reconstructed_noisy - target).square().mean().item(),
        "mean_image_mse": (mean_image - target).square().mean().item(),
        "code_sparsity": hoyer_sparsity(codes).mean().item(),
    }
    if is_variational(model):
        with mode(model):
            mu, log_sigma = model.encoder(test.images[:2000].to(model.device))
        report["kl_per_image"] = gaussian_kl(mu, log_sigma).sum(dim=1).mean().item()  # nats, summed over the code
    if model.image_shape == (1, 28, 28):
        pixels = model.sample_images(samples, seed=seed)
        report.update(
            prior_confident_share=metrics.confident_share(pixels),
            prior_class_coverage=metrics.class_coverage(pixels),
            prior_frechet_distance=metrics.frechet_distance_to_mnist_test(pixels),
        )
    return report
