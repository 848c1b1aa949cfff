"""Losses against torch.distributions and closed forms; latent-space helpers."""

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from vaegan import latent
from vaegan.losses import gaussian_kl, hoyer_sparsity, reconstruction_loss
from vaegan.models import VAE, Autoencoder


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


def test_latent_grid_interpolation_and_sampling():
    torch.manual_seed(0)
    model = Autoencoder(latent_size=3, hidden_size=16)
    grid = latent.latent_grid(model, [-1.0, 0.0, 1.0], dims=(0, 2))
    assert grid.shape == (3, 3, 1, 28, 28)
    code = torch.tensor([[-1.0, 0.0, 1.0]])  # row 0 (dim 0 = -1), column 2 (dim 2 = +1)
    torch.testing.assert_close(grid[0, 2], latent.decode(model, code)[0])
    directions = torch.eye(3)[[1, 2]]
    torch.testing.assert_close(latent.latent_grid(model, [0.5], dims=directions)[0, 0], latent.decode(model, torch.tensor([[0, 0.5, 0.5]]))[0])
    with pytest.raises(ValueError, match="two different latent indices"):
        latent.latent_grid(model, [0.0], dims=(0, 0))
    images = torch.randn(2, 1, 28, 28)
    path = latent.interpolate(model, images[0], images[1], steps=5)
    assert path.shape == (5, 1, 28, 28)
    torch.testing.assert_close(path[0], latent.reconstruct(model, images[:1])[0])
    codes, samples = latent.sample_prior(model, 4, seed=1)
    assert torch.equal(codes, latent.sample_prior(model, 4, seed=1)[0]) and samples.shape == (4, 1, 28, 28)


def test_vae_helpers_use_the_mean_code():
    torch.manual_seed(0)
    model = VAE(latent_size=3, hidden_size=16)
    x = torch.randn(4, 1, 28, 28)
    torch.testing.assert_close(latent.encode(model, x), model.encoder(x)[0])
    torch.testing.assert_close(latent.reconstruct(model, x), latent.reconstruct(model, x))


def test_interpolate_batches_are_one_line_per_pair():
    torch.manual_seed(0)
    model = Autoencoder(latent_size=3, hidden_size=16)
    starts, ends = torch.randn(4, 1, 28, 28), torch.randn(4, 1, 28, 28)
    batched = latent.interpolate(model, starts, ends, steps=5)
    assert batched.shape == (4, 5, 1, 28, 28)
    for index in range(4):
        torch.testing.assert_close(batched[index], latent.interpolate(model, starts[index], ends[index], steps=5))
