"""The ELBO and importance-weighted bounds, checked against closed forms.

The linear-Gaussian model (probabilistic PCA) has an exact log p(x) and an exact
posterior, so every bound can be compared with the truth."""

import math

import pytest
import torch

from vaegan.autoencoders.elbo import (
    bernoulli_log_likelihood,
    elbo,
    elbo_parts,
    evaluate_bounds,
    gaussian_kl,
    gaussian_log_density,
    iwae_bound,
    monte_carlo_kl,
    standard_normal_log_density,
)
from vaegan.autoencoders.linear_gaussian import LinearGaussian
from vaegan.core import data
from vaegan.registry import load_pretrained


def test_log_densities_match_torch_distributions():
    generator = torch.Generator().manual_seed(1)
    z, mu, log_sigma = (torch.randn(7, 3, generator=generator) for _ in range(3))
    expected = torch.distributions.Normal(mu, log_sigma.exp()).log_prob(z).sum(-1)
    torch.testing.assert_close(gaussian_log_density(z, mu, log_sigma), expected)
    torch.testing.assert_close(standard_normal_log_density(z), torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1))


@pytest.mark.parametrize("mu, sigma", [([0.0], [1.0]), ([1.0, -2.0], [0.5, 2.0]), ([0.3, 0.0, 1.5], [0.1, 3.0, 1.0])])
def test_closed_form_kl_within_three_standard_errors_of_monte_carlo(mu, sigma):
    mu, log_sigma = torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64).log()
    estimate, error = monte_carlo_kl(mu, log_sigma, 200_000, torch.Generator().manual_seed(0))
    exact = gaussian_kl(mu, log_sigma).sum().item()
    assert abs(estimate - exact) < 3 * error + 1e-12


def test_monte_carlo_kl_is_zero_with_no_spread_when_q_is_the_prior():
    estimate, error = monte_carlo_kl(torch.zeros(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64), 100)
    assert estimate == pytest.approx(0.0, abs=1e-12) and error == pytest.approx(0.0, abs=1e-12)


def test_monte_carlo_elbo_agrees_with_the_closed_form(ppca, poor_q):
    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    estimate = elbo(x, mu, log_sigma, model.log_likelihood, samples=2000, generator=torch.Generator().manual_seed(0))
    reconstruction, kl = elbo_parts(x, mu, log_sigma, model.log_likelihood, samples=1, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(kl, gaussian_kl(mu, log_sigma).sum(-1))
    # per image: 2000 draws; compare the average over images with a standard error from single draws
    single = elbo(x, mu, log_sigma, model.log_likelihood, samples=1, generator=torch.Generator().manual_seed(1))
    error = (single - model.exact_elbo(x, mu, log_sigma)).std() / math.sqrt(2000 * len(x))
    assert abs((estimate - model.exact_elbo(x, mu, log_sigma)).mean()) < 4 * error


def test_iwae_bound_increases_with_k_and_approaches_log_marginal(ppca, poor_q):
    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    exact = model.log_marginal(x)
    gaps = []
    for k in (1, 10, 100, 1000):
        bound = iwae_bound(x, mu, log_sigma, model.log_likelihood, k, torch.Generator().manual_seed(k))
        gaps.append((exact - bound).mean().item())
    # k = 1 -> 10 -> 100 tightens; by k = 100 the bound is within Monte Carlo noise of log p(x)
    assert gaps[0] > 10 * gaps[1] > 0, gaps
    assert gaps[1] > max(gaps[2:]), gaps
    assert max(abs(gap) for gap in gaps[2:]) < 0.05, gaps
    # the k = 1 bound is the ELBO in expectation
    assert abs(gaps[0] - (exact - model.exact_elbo(x, mu, log_sigma)).mean().item()) < 0.15 * gaps[0]


def test_iwae_bound_is_exact_for_every_k_when_q_is_the_posterior(ppca):
    model, x = ppca
    mean, covariance = model.posterior(x)
    log_sigma = torch.diagonal(covariance).sqrt().log().expand_as(mean)
    for k in (1, 7):
        bound = iwae_bound(x, mean, log_sigma, model.log_likelihood, k, torch.Generator().manual_seed(0))
        torch.testing.assert_close(bound, model.log_marginal(x), rtol=0, atol=1e-8)


def test_iwae_bound_keeps_within_the_memory_budget_and_is_deterministic(ppca, poor_q):
    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    largest = []

    def recording(x_, z):
        largest.append(z.shape[0] * z.shape[1] * model.data_size)
        return model.log_likelihood(x_, z)

    budget = 200 * 12 * 8  # 8 draws of the 200 points at a time
    first = iwae_bound(x, mu, log_sigma, recording, 100, torch.Generator().manual_seed(3), budget=budget)
    assert max(largest) <= budget and len(largest) == math.ceil(100 / 8)
    again = iwae_bound(x, mu, log_sigma, model.log_likelihood, 100, torch.Generator().manual_seed(3), budget=budget)
    torch.testing.assert_close(first, again, rtol=0, atol=0)
    # another chunking draws other samples, but estimates the same bound
    other = iwae_bound(x, mu, log_sigma, model.log_likelihood, 100, torch.Generator().manual_seed(4), budget=10**7)
    spread = (first - other).std() / math.sqrt(len(x))
    assert abs((first - other).mean()) < 4 * spread + 1e-9


def test_bad_arguments_are_refused_with_the_fix(ppca, poor_q):
    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    with pytest.raises(ValueError, match="at least 1"):
        iwae_bound(x, mu, log_sigma, model.log_likelihood, 0)
    with pytest.raises(ValueError, match="fewer images at a time"):
        iwae_bound(x, mu, log_sigma, model.log_likelihood, 10, budget=100)
    with pytest.raises(ValueError, match=r"\(batch, latent\)"):
        elbo(x, mu[:5], log_sigma[:5], model.log_likelihood)
    with pytest.raises(ValueError, match="same size"):
        monte_carlo_kl(torch.zeros(3), torch.zeros(2))
    with pytest.raises(ValueError, match="latent_size"):
        LinearGaussian.fit(x, latent_size=12)
    with pytest.raises(ValueError, match=r"\(batch, 12\)"):
        model.log_marginal(x[:, :5])


def test_bernoulli_log_likelihood_matches_torch_distributions():
    decoder = torch.nn.Sequential(torch.nn.Linear(3, 4 * 5), torch.nn.Unflatten(1, (1, 4, 5)))
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 2, (6, 1, 4, 5), generator=generator).float()
    z = torch.randn(2, 6, 3, generator=generator)
    got = bernoulli_log_likelihood(decoder)(x, z)
    with torch.no_grad():
        expected = torch.stack([torch.distributions.Bernoulli(logits=decoder(z[i])).log_prob(x).sum((1, 2, 3)) for i in range(2)])
    torch.testing.assert_close(got.detach(), expected)


def test_evaluate_bounds_refuses_grey_images_and_autoencoders(data_root):
    model, _ = load_pretrained("bernoulli_vae")
    grey = data.mnist(train=False, limit=4).images
    with pytest.raises(ValueError, match="binarise"):
        evaluate_bounds(model, grey, ks=(1,))
    from vaegan.autoencoders.models import Autoencoder

    with pytest.raises(TypeError, match="needs a VAE"):
        evaluate_bounds(Autoencoder(), (grey > 0.5).float(), ks=(1,))


def test_posterior_usage_finds_dimensions_that_ignore_the_input():
    from vaegan.autoencoders.elbo import posterior_usage
    from vaegan.autoencoders.models import VAE

    model = VAE(latent_size=4, hidden_size=16)
    last = model.encoder[-2]  # Linear(hidden, 2 * latent): rows 0..3 are mu, 4..7 are log sigma
    with torch.no_grad():
        last.weight[[1, 3]] = 0.0  # mu_1, mu_3 no longer depend on the input ...
        last.bias[[1, 3]] = 0.0
        last.weight[[5, 7]] = 0.0  # ... and their sigma is exactly 1: the prior
        last.bias[[5, 7]] = 0.0
    images = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    usage = posterior_usage(model, images, threshold=1e-8)
    assert usage["active"].tolist() == [True, False, True, False]
    assert not usage["informative"][[1, 3]].any()
    assert usage["kl_per_dimension"][[1, 3]].abs().max() < 1e-6
    with pytest.raises(TypeError, match="needs a VAE"):
        from vaegan.autoencoders.models import Autoencoder

        posterior_usage(Autoencoder(), images)


def test_elbo_parts_from_noise_is_what_elbo_parts_draws(ppca, poor_q):
    from vaegan.autoencoders.elbo import elbo_parts_from_noise

    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    eps = torch.randn(5, *mu.shape, generator=torch.Generator().manual_seed(2), dtype=mu.dtype)
    reconstruction, kl = elbo_parts_from_noise(x, mu, log_sigma, model.log_likelihood, eps)
    drawn = elbo_parts(x, mu, log_sigma, model.log_likelihood, samples=5, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(reconstruction, drawn[0], rtol=0, atol=0)
    torch.testing.assert_close(kl, drawn[1], rtol=0, atol=0)
    # the reconstruction term is the mean over the draws of log p(x | z)
    torch.testing.assert_close(reconstruction, model.log_likelihood(x, mu + log_sigma.exp() * eps).mean(0))
    with pytest.raises(ValueError, match=r"\(K, batch, latent\)"):
        elbo_parts_from_noise(x, mu, log_sigma, model.log_likelihood, eps[0])


def test_log_mean_exp_is_stable_and_equals_the_naive_formula_where_that_works():
    from vaegan.autoencoders.elbo import log_mean_exp

    log_weights = torch.randn(30, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 3
    torch.testing.assert_close(log_mean_exp(log_weights), log_weights.exp().mean(0).log())
    # shifting every log weight by c shifts the bound by c, however far out c puts them
    for shift in (-1000.0, 800.0):
        assert torch.isinf(((log_weights + shift).exp().mean(0).log())).all()
        torch.testing.assert_close(log_mean_exp(log_weights + shift), log_mean_exp(log_weights) + shift)
    torch.testing.assert_close(log_mean_exp(log_weights[:1]), log_weights[0])  # K = 1: the weight itself
    torch.testing.assert_close(log_mean_exp(log_weights.T, dim=1), log_mean_exp(log_weights))


def test_iwae_bound_is_the_log_mean_exp_of_the_log_importance_weights(ppca, poor_q):
    from vaegan.autoencoders.elbo import _draw, log_importance_weights, log_mean_exp

    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    z = _draw(mu, log_sigma, 20, torch.Generator().manual_seed(5))
    log_weights = log_importance_weights(x, mu, log_sigma, model.log_likelihood, z)
    expected = (
        model.log_likelihood(x, z)
        + torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1)
        - torch.distributions.Normal(mu, log_sigma.exp()).log_prob(z).sum(-1)
    )
    torch.testing.assert_close(log_weights, expected)
    # one chunk (the default budget) and many chunks give the same bound from the same draws
    single = iwae_bound(x, mu, log_sigma, model.log_likelihood, 20, torch.Generator().manual_seed(5))
    chunked = iwae_bound(x, mu, log_sigma, model.log_likelihood, 20, torch.Generator().manual_seed(5), budget=200 * 12 * 7)  # chunks of 7, 7 and 6 draws
    torch.testing.assert_close(single, log_mean_exp(log_weights), rtol=0, atol=0)
    torch.testing.assert_close(chunked, single)
