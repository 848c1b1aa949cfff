"""vaegan.pages.exercises.elbo: chapter 4's checkers accept the package's solutions, name the typical
mistakes, and say "not attempted" for an empty answer."""

import math

import pytest
import torch
import torch.nn.functional as F

from vaegan.autoencoders import elbo
from vaegan.autoencoders.hierarchical import two_layer_elbo
from vaegan.autoencoders.linear_gaussian import LinearGaussian
from vaegan.pages import exercises


# --- exercise 1: the ELBO by Monte Carlo ---------------------------------------------------------


def package_elbo(x, decoder, mu, log_sigma, eps):
    reconstruction, kl = elbo.elbo_parts_from_noise(x, mu, log_sigma, elbo.bernoulli_log_likelihood(decoder), eps)
    return reconstruction - kl


def learners_elbo(pixel_reduction="sum", sample_reduction="mean", kl_sign=-1, samples=None, kl_reduction="sum"):
    """A learner's ELBO with the decoder applied to all K codes at once; the arguments plant one mistake each."""

    def my_elbo(x, decoder, mu, log_sigma, eps):
        z = mu + log_sigma.exp() * (eps if samples is None else eps[:samples])
        logits = decoder(z)  # (K, b, 1, 28, 28)
        cross_entropy = F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").flatten(2)
        log_likelihood = -getattr(cross_entropy, pixel_reduction)(-1)
        reconstruction = getattr(log_likelihood, sample_reduction)(0)
        kl = getattr(0.5 * (mu**2 + (2 * log_sigma).exp() - 1) - log_sigma, kl_reduction)(-1)
        return reconstruction + kl_sign * kl

    return my_elbo


def test_elbo_estimate_checker(capsys, assert_not_attempted):
    assert exercises.check_elbo_estimate(package_elbo)
    assert exercises.check_elbo_estimate(learners_elbo())
    assert_not_attempted(exercises.check_elbo_estimate, lambda x, decoder, mu, log_sigma, eps: None, capsys)
    with pytest.raises(AssertionError, match="the KL is added; the ELBO subtracts it"):
        exercises.check_elbo_estimate(learners_elbo(kl_sign=+1))
    with pytest.raises(AssertionError, match="averaged over pixels; the ELBO sums it"):
        exercises.check_elbo_estimate(learners_elbo(pixel_reduction="mean"))
    with pytest.raises(AssertionError, match=r"only one sample \(eps\[0\]\) is used"):
        exercises.check_elbo_estimate(learners_elbo(samples=1))
    with pytest.raises(AssertionError, match="summed over the K samples"):
        exercises.check_elbo_estimate(learners_elbo(sample_reduction="sum"))
    with pytest.raises(AssertionError, match="KL is averaged over latent dimensions"):
        exercises.check_elbo_estimate(learners_elbo(kl_reduction="mean"))
    with pytest.raises(AssertionError, match="one ELBO per image"):
        exercises.check_elbo_estimate(lambda *arguments: package_elbo(*arguments).mean())


# --- exercise 2: the importance-weighted bound ---------------------------------------------------


def test_log_mean_exp_checker(capsys, assert_not_attempted):
    assert exercises.check_log_mean_exp(elbo.log_mean_exp)
    assert exercises.check_log_mean_exp(lambda w: (w - w.max(0).values).exp().mean(0).log() + w.max(0).values)
    assert_not_attempted(exercises.check_log_mean_exp, lambda log_weights: None, capsys)
    with pytest.raises(AssertionError, match=r"log of the mean of exp.*underflows"):
        exercises.check_log_mean_exp(lambda w: w.exp().mean(0).log())
    with pytest.raises(AssertionError, match="the -log K is missing"):
        exercises.check_log_mean_exp(lambda w: torch.logsumexp(w, 0))
    with pytest.raises(AssertionError, match="mean of the log weights, the ELBO's estimate"):
        exercises.check_log_mean_exp(lambda w: w.mean(0))
    with pytest.raises(AssertionError, match="reduce over the K samples"):
        exercises.check_log_mean_exp(lambda w: elbo.log_mean_exp(w, dim=1))


# --- exercise 3: the probabilistic-PCA posterior -------------------------------------------------


def package_posterior(x, weight, bias, noise_variance):
    return LinearGaussian(weight, bias, math.sqrt(noise_variance)).posterior(x)


def learners_posterior(noise="s2", cov_scale="s2", m_form="WtW", projection="Wt"):
    """Tipping and Bishop's posterior written out, with one planted mistake per argument."""

    def my_posterior(x, W, b, s2):
        d = W.shape[1]
        value = {"s2": s2, "s": math.sqrt(s2), "one": 1.0}
        M = (W.T @ W if m_form == "WtW" else W @ W.T) + value[noise] * torch.eye(d, dtype=W.dtype)
        inverse = torch.linalg.inv(M)
        mean = (x - b) @ (W if projection == "Wt" else W.T) @ inverse  # each row M^-1 W^T (x - b)
        return mean, value[cov_scale] * inverse

    return my_posterior


def test_ppca_posterior_checker(capsys, assert_not_attempted):
    assert exercises.check_ppca_posterior(package_posterior)
    assert exercises.check_ppca_posterior(learners_posterior())
    assert_not_attempted(exercises.check_ppca_posterior, lambda x, W, b, s2: None, capsys)
    with pytest.raises(AssertionError, match="you used s where s² belongs in M"):
        exercises.check_ppca_posterior(learners_posterior(noise="s", cov_scale="s"))
    with pytest.raises(AssertionError, match="you used s where s² belongs in the covariance"):
        exercises.check_ppca_posterior(learners_posterior(cov_scale="s"))
    with pytest.raises(AssertionError, match="covariance is missing s²"):
        exercises.check_ppca_posterior(learners_posterior(cov_scale="one"))
    # a misplaced transpose: a shape error on a tall W, named from the values on a square one
    with pytest.raises(AssertionError, match="check where W is transposed"):
        exercises.check_ppca_posterior(learners_posterior(m_form="WWt"))
    with pytest.raises(AssertionError, match="transpose of W is in the wrong place"):
        exercises.check_ppca_posterior(lambda x, W, b, s2: learners_posterior(m_form="WWt")(x, W, b, s2) if W.shape[0] == W.shape[1] else package_posterior(x, W, b, s2))
    with pytest.raises(AssertionError, match="the mean forgets the bias"):
        exercises.check_ppca_posterior(lambda x, W, b, s2: learners_posterior()(x, W, torch.zeros_like(b), s2))


# --- the bonus: two stochastic layers ------------------------------------------------------------


def gaussian_kl_between(q, p):
    return torch.distributions.kl_divergence(torch.distributions.Normal(q[0], q[1].exp()), torch.distributions.Normal(p[0], p[1].exp())).sum(-1)


def test_two_layer_elbo_checker(capsys, assert_not_attempted):
    assert exercises.check_two_layer_elbo(two_layer_elbo)
    assert_not_attempted(exercises.check_two_layer_elbo, lambda log_likelihood, q_z2, q_z1, p_z1: None, capsys)

    def standard(pair):
        return torch.zeros_like(pair[0]), torch.zeros_like(pair[1])

    with pytest.raises(AssertionError, match=r"layer 1's KL is measured against N\(0, I\); its prior is p\(z1 \| z2\)"):
        exercises.check_two_layer_elbo(lambda ll, q2, q1, p1: ll - gaussian_kl_between(q2, standard(q2)) - gaussian_kl_between(q1, standard(q1)))
    with pytest.raises(AssertionError, match="the top layer's KL, .* is missing"):
        exercises.check_two_layer_elbo(lambda ll, q2, q1, p1: ll - gaussian_kl_between(q1, p1))
    with pytest.raises(AssertionError, match="wrong way round"):
        exercises.check_two_layer_elbo(lambda ll, q2, q1, p1: ll - gaussian_kl_between(q2, standard(q2)) - gaussian_kl_between(p1, q1))
    with pytest.raises(AssertionError, match="the KLs are added"):
        exercises.check_two_layer_elbo(lambda ll, q2, q1, p1: ll + gaussian_kl_between(q2, standard(q2)) + gaussian_kl_between(q1, p1))


def test_a_not_implemented_error_counts_as_not_attempted(capsys, assert_not_attempted):
    def placeholder(*arguments):
        raise NotImplementedError

    for check in (exercises.check_elbo_estimate, exercises.check_log_mean_exp, exercises.check_ppca_posterior, exercises.check_two_layer_elbo):
        assert_not_attempted(check, placeholder, capsys)
