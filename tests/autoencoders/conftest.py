"""Fixtures shared by the autoencoder family's tests."""

import pytest
import torch

from vaegan.autoencoders.linear_gaussian import LinearGaussian
from vaegan.core import data


@pytest.fixture(scope="module")
def small_mnist(data_root):
    """The first 1,024 training digits, standardised (ARENA's scale)."""
    return data.mnist(train=True, scale="standard", limit=1024)


@pytest.fixture(scope="module")
def ppca():
    """A PPCA fitted to samples of a known PPCA (D = 12, d = 2), and 200 test points."""
    generator = torch.Generator().manual_seed(0)
    truth = LinearGaussian(torch.randn(12, 2, generator=generator, dtype=torch.float64), torch.randn(12, generator=generator, dtype=torch.float64), 0.5)
    model = LinearGaussian.fit(truth.sample(5000, generator), latent_size=2)
    return model, truth.sample(200, generator)


@pytest.fixture
def poor_q():
    """``q(model, x) -> (mu, log_sigma)``: a q away from the posterior, its mean one posterior std off in
    each direction and twice too wide."""

    def q(model, x):
        mean, covariance = model.posterior(x)
        std = torch.diagonal(covariance).sqrt()
        return mean + std, (2 * std).log().expand_as(mean)

    return q
