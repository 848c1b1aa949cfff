"""vaegan.autoencoders.losses against PyTorch's distributions and by their limits."""

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from vaegan.autoencoders.losses import gaussian_kl, hoyer_sparsity, reconstruction_loss


def test_gaussian_kl_matches_torch_distributions():
    generator = torch.Generator().manual_seed(0)
    mu = torch.randn(100, 7, generator=generator) * 2
    log_sigma = torch.randn(100, 7, generator=generator)
    expected = kl_divergence(Normal(mu, log_sigma.exp()), Normal(0.0, 1.0))
    torch.testing.assert_close(gaussian_kl(mu, log_sigma), expected)
    assert gaussian_kl(torch.zeros(3), torch.zeros(3)).abs().max() == 0


def test_reconstruction_losses():
    x = torch.rand(4, 1, 28, 28)
    assert reconstruction_loss(x, x).item() == 0
    logits = torch.randn(4, 1, 28, 28)
    expected = -(x * torch.sigmoid(logits).log() + (1 - x) * (1 - torch.sigmoid(logits)).log()).mean()
    torch.testing.assert_close(reconstruction_loss(logits, x, "bernoulli"), expected)
    with pytest.raises(ValueError, match="unknown likelihood"):
        reconstruction_loss(x, x, "poisson")
    with pytest.raises(ValueError, match="differ in shape"):
        reconstruction_loss(x, x[:2])


def test_hoyer_sparsity_limits_and_scale_invariance():
    codes = torch.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 3.0, 0.0], [2.0, -2.0, 0.0, 0.0]])
    values = hoyer_sparsity(codes)
    torch.testing.assert_close(values[:2], torch.tensor([0.0, 1.0]))
    assert 0 < values[2] < 1
    torch.testing.assert_close(hoyer_sparsity(codes * 10), values)
