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


def test_sample_codes_draws_from_each_posterior_with_its_seed():
    torch.manual_seed(0)
    model = VAE(latent_size=3, hidden_size=16)
    images = torch.randn(6, 1, 28, 28)
    codes = latent.sample_codes(model, images, seed=1, batch_size=4)
    assert codes.shape == (6, 3)
    # batches do not change the draw (the encoder's sums may differ in the last bits with the batch size)
    torch.testing.assert_close(codes, latent.sample_codes(model, images, seed=1), atol=1e-6, rtol=0)
    assert not torch.equal(codes, latent.sample_codes(model, images, seed=2))
    with torch.no_grad():
        mu, log_sigma = model.encoder(images)
    eps = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(codes, mu + log_sigma.exp() * eps)
    with pytest.raises(ValueError, match="needs a VAE"):
        latent.sample_codes(Autoencoder(latent_size=3, hidden_size=16), images)


def test_marginal_distance_is_the_largest_gap_between_the_cdfs():
    generator = torch.Generator().manual_seed(0)
    codes = torch.randn(40, 3, generator=generator, dtype=torch.float64) * torch.tensor([1.0, 2.0, 0.3], dtype=torch.float64)
    # brute force: the empirical CDF at every value and just below it, against Phi
    points = torch.cat([codes, codes - 1e-9])
    empirical = (codes.unsqueeze(0) <= points.unsqueeze(1)).double().mean(1)  # (points, latent)
    expected = (empirical - torch.special.ndtr(points)).abs().amax(0)
    torch.testing.assert_close(latent.marginal_distance(codes), expected, atol=1e-7, rtol=0)
    large = torch.randn(20_000, 2, generator=generator)
    distance = latent.marginal_distance(torch.stack([large[:, 0], 3 * large[:, 1]], 1))
    assert distance[0] < 0.02 and distance[1] > 0.2  # sup |Phi(x / 3) - Phi(x)| is about 0.24
    with pytest.raises(ValueError, match=r"\(n, latent\)"):
        latent.marginal_distance(torch.randn(5))


def test_principal_plane_is_one_standard_deviation_along_the_two_leading_components():
    import torch

    from vaegan.autoencoders.latent import principal_plane

    generator = torch.Generator().manual_seed(0)
    codes = torch.randn(2000, 4, generator=generator) * torch.tensor([3.0, 2.0, 0.5, 0.1]) + 7
    centre, directions, projected, explained = principal_plane(codes)
    torch.testing.assert_close(centre, codes.mean(0))
    # the leading component is the first axis, 3 long; projections have unit spread
    assert directions[0].abs().argmax() == 0 and abs(directions[0].norm().item() - 3) < 0.15
    torch.testing.assert_close(projected.std(0), torch.ones(2), atol=1e-4, rtol=0)
    assert abs(explained.sum().item() - 1) < 1e-5 and explained[0] > explained[1] > explained[2]
    import pytest

    with pytest.raises(ValueError, match="principal_plane needs"):
        principal_plane(codes[:, :1])
