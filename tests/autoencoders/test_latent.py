"""vaegan.autoencoders.latent: encode, decode, grids and interpolation."""

import pytest
import torch

from vaegan.autoencoders import latent
from vaegan.autoencoders.models import VAE, Autoencoder


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
    samples = model.sample_images(4, seed=1)
    assert torch.equal(samples, model.sample_images(4, seed=1)) and samples.shape == (4, 1, 28, 28)


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
