"""The numbers the autoencoder chapters report, computed one way for the book,
the command line and the tests."""

from __future__ import annotations

import torch
from torch import Tensor

from vaegan import data, latent, metrics
from vaegan.losses import gaussian_kl, hoyer_sparsity
from vaegan.train import AutoencoderArgs, image_scale

__all__ = ["to_pixels", "test_images", "evaluate_autoencoder"]


def to_pixels(decoded: Tensor, args: AutoencoderArgs) -> Tensor:
    """A decoder's output as pixels in [0, 1]: logits through a sigmoid for a Bernoulli
    decoder, otherwise undo the run's scaling."""
    if args.likelihood == "bernoulli":
        return torch.sigmoid(decoded)
    return data.to_unit(decoded, image_scale(args))


def test_images(args: AutoencoderArgs, limit: int | None = None) -> data.ImageTensors:
    if args.dataset == "celeba":
        return data.celeba_tensors("test", limit=limit)
    return data.mnist(train=False, scale=image_scale(args), limit=limit)


@torch.no_grad()
def evaluate_autoencoder(
    model,
    args: AutoencoderArgs,
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
    test images already loaded (in the run's scale) instead of loading them again."""
    test = test if test is not None else test_images(args, test_limit)
    generator = torch.Generator().manual_seed(seed)
    noisy = data.add_pixel_noise(test.images, noise_std, test.scale, generator)
    reconstructed = to_pixels(latent.reconstruct(model, test.images), args)
    reconstructed_noisy = to_pixels(latent.reconstruct(model, noisy), args)
    target = test.images if args.likelihood == "bernoulli" else data.to_unit(test.images, test.scale)
    mean_image = target.mean(dim=0, keepdim=True)
    codes = latent.encode(model, test.images)
    report = {
        "test_images": len(test),
        "reconstruction_mse": (reconstructed - target).square().mean().item(),
        "noisy_reconstruction_mse": (reconstructed_noisy - target).square().mean().item(),
        "mean_image_mse": (mean_image - target).square().mean().item(),
        "code_sparsity": hoyer_sparsity(codes).mean().item(),
    }
    if latent.is_variational(model):
        mu, log_sigma = model.encoder(test.images[:2000].to(next(model.parameters()).device))
        report["kl_per_image"] = gaussian_kl(mu, log_sigma).sum(dim=1).mean().item()  # nats, summed over the code
    if args.dataset == "mnist":
        _, decoded = latent.sample_prior(model, samples, seed=seed)
        pixels = to_pixels(decoded, args)
        report.update(
            prior_confident_share=metrics.confident_share(pixels),
            prior_class_coverage=metrics.class_coverage(pixels),
            prior_frechet_distance=metrics.frechet_distance_to_mnist_test(pixels),
        )
    return report
