"""The two-layer VAE: its KLs against torch.distributions, its ELBO against a Monte Carlo estimate of
E_q[log p(x, z1, z2) - log q(z1, z2 | x)], and the short training that chapter 4's bonus runs."""

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from vaegan.autoencoders import elbo
from vaegan.autoencoders.hierarchical import (
    HierarchicalVAE,
    diagonal_gaussian_kl,
    evaluate_elbo,
    layer_kls,
    train_on_elbo,
    two_layer_elbo,
    vae_elbo,
)
from vaegan.autoencoders.losses import gaussian_kl
from vaegan.autoencoders.models import VAE, MLPVAE


pytestmark = pytest.mark.usefixtures("one_thread")


def gaussians(generator, *shape):
    return [(torch.randn(*shape, generator=generator, dtype=torch.float64), torch.randn(*shape, generator=generator, dtype=torch.float64) * 0.5) for _ in range(3)]


def test_diagonal_gaussian_kl_matches_torch_distributions_and_the_kl_to_the_prior():
    (mu_q, log_q), (mu_p, log_p), _ = gaussians(torch.Generator().manual_seed(0), 7, 4)
    expected = kl_divergence(Normal(mu_q, log_q.exp()), Normal(mu_p, log_p.exp()))
    torch.testing.assert_close(diagonal_gaussian_kl(mu_q, log_q, mu_p, log_p), expected)
    zeros = torch.zeros_like(mu_q)
    torch.testing.assert_close(diagonal_gaussian_kl(mu_q, log_q, zeros, zeros), gaussian_kl(mu_q, log_q))
    assert diagonal_gaussian_kl(mu_q, log_q, mu_q, log_q).abs().max() < 1e-12


def test_two_layer_elbo_is_the_likelihood_minus_one_kl_per_layer():
    generator = torch.Generator().manual_seed(1)
    q_z2 = gaussians(generator, 5, 3)[0]
    q_z1, p_z1, _ = gaussians(generator, 5, 6)
    log_likelihood = -torch.rand(5, generator=generator, dtype=torch.float64) * 100
    kl_top, kl_bottom = layer_kls(q_z2, q_z1, p_z1)
    torch.testing.assert_close(kl_top, kl_divergence(Normal(q_z2[0], q_z2[1].exp()), Normal(0.0, 1.0)).sum(-1))
    torch.testing.assert_close(kl_bottom, kl_divergence(Normal(q_z1[0], q_z1[1].exp()), Normal(p_z1[0], p_z1[1].exp())).sum(-1))
    torch.testing.assert_close(two_layer_elbo(log_likelihood, q_z2, q_z1, p_z1), log_likelihood - kl_top - kl_bottom)


def test_the_models_elbo_has_the_expectation_of_the_full_log_ratio():
    """The closed-form KLs (given the drawn z2) and log p(x, z1, z2) - log q(z1, z2 | x) at the same
    draws have the same expectation: the decomposition by layer is the ELBO."""
    torch.manual_seed(0)
    model = HierarchicalVAE((4, 3), hidden_size=16, image_shape=(1, 4, 4)).double()
    x = torch.bernoulli(torch.full((1, 1, 4, 4), 0.4, dtype=torch.float64), generator=torch.Generator().manual_seed(1))
    x = x.expand(20000, -1, -1, -1)
    with torch.no_grad():
        terms = model.terms(x, torch.Generator().manual_seed(2))
        by_layer = two_layer_elbo(*terms)
        # the same draws, replayed: terms draws the noise of z2, then of z1
        generator = torch.Generator().manual_seed(2)
        (mu_2, log_2), (mu_1, log_1), (p_mu, p_log) = terms.q_z2, terms.q_z1, terms.p_z1
        z2 = mu_2 + log_2.exp() * torch.randn(mu_2.shape, generator=generator, dtype=torch.float64)
        z1 = mu_1 + log_1.exp() * torch.randn(mu_1.shape, generator=generator, dtype=torch.float64)
        log_ratio = (
            terms.log_likelihood
            + Normal(p_mu, p_log.exp()).log_prob(z1).sum(-1) + Normal(0.0, 1.0).log_prob(z2).sum(-1)
            - Normal(mu_1, log_1.exp()).log_prob(z1).sum(-1) - Normal(mu_2, log_2.exp()).log_prob(z2).sum(-1)
        )
    torch.testing.assert_close(model.p_bottom(z2)[0], p_mu)  # the replay found the same z2
    difference = by_layer - log_ratio
    assert abs(difference.mean()) < 4 * difference.std() / len(difference) ** 0.5


def test_vae_elbo_scores_both_models_and_refuses_others():
    torch.manual_seed(0)
    x = torch.bernoulli(torch.full((3, 1, 28, 28), 0.2), generator=torch.Generator().manual_seed(0))
    one = MLPVAE(latent_size=4, hidden_size=8)
    mu, log_sigma = one.encoder(x)
    expected = elbo.elbo(x, mu, log_sigma, elbo.bernoulli_log_likelihood(one.decoder), 1, torch.Generator().manual_seed(3))
    torch.testing.assert_close(vae_elbo(one, x, torch.Generator().manual_seed(3)), expected)
    two = HierarchicalVAE((4, 2), hidden_size=8)
    assert vae_elbo(two, x).shape == (3,)
    assert two.sample_images(5, seed=0).shape == (5, 1, 28, 28)
    with pytest.raises(TypeError, match="HierarchicalVAE or an MLPVAE"):
        vae_elbo(VAE(latent_size=2), x)
    with pytest.raises(ValueError, match="images of shape"):
        two.elbo(x[:, :, :14])


def test_short_training_raises_the_elbo_and_scores_are_reproducible():
    images = torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(0)) ** 4  # dark digits-like noise
    test = torch.bernoulli(images[:64], generator=torch.Generator().manual_seed(1))
    for build in (lambda: MLPVAE(latent_size=4, hidden_size=32), lambda: HierarchicalVAE((4, 2), hidden_size=32)):
        torch.manual_seed(0)
        model = build()
        before = evaluate_elbo(model, test, seed=0).mean()
        losses = train_on_elbo(model, images, steps=40, batch_size=32, lr=3e-3, seed=0)
        assert len(losses) == 40 and sum(losses[-5:]) < sum(losses[:5])
        after = evaluate_elbo(model, test, seed=0)
        assert after.mean() > before + 50 and after.shape == (64,)
        torch.testing.assert_close(after, evaluate_elbo(model, test, seed=0), rtol=0, atol=0)
    with pytest.raises(ValueError, match="binary"):
        evaluate_elbo(model, images[:4])
    with pytest.raises(ValueError, match="steps"):
        train_on_elbo(model, images, steps=0)
