"""Chapter 4's checkers: the ELBO, the importance-weighted bound, the probabilistic-PCA
posterior, and the ELBO of a VAE with two stochastic layers."""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor, nn
from torch.distributions import Normal, kl_divergence

from vaegan.autoencoders import elbo as elbo_module
from vaegan.autoencoders.linear_gaussian import LinearGaussian
from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted

__all__ = ["check_elbo_estimate", "check_log_mean_exp", "check_ppca_posterior", "check_two_layer_elbo"]


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _check_shape(name: str, result, shape: tuple, hint: str) -> None:
    if isinstance(result, Tensor) and tuple(result.shape) != shape:
        raise AssertionError(f"{name}: shape {tuple(result.shape)}, expected {shape}: {hint}")


# -- exercise 1: the ELBO's two parts, by Monte Carlo ----------------------------------------------


def _bernoulli_decoder(latent_size: int, generator: torch.Generator) -> nn.Module:
    """A random linear decoder, codes ``(..., d)`` to logits ``(..., 1, 28, 28)``, in
    float64."""
    linear = nn.Linear(latent_size, 784, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(784, latent_size, generator=generator, dtype=torch.float64) * 1.5)
        linear.bias.copy_(torch.randn(784, generator=generator, dtype=torch.float64))
    return nn.Sequential(linear, nn.Unflatten(-1, (1, 28, 28)))


def check_elbo_estimate(function: Callable, seed: int = 0) -> Verdict:
    """``function(x (b, 1, 28, 28), decoder, mu (b, d), log_sigma (b, d), eps (K, b, d))``
    must give each image's ELBO ``(b,)`` in nats: the average over the K codes
    ``z = mu + sigma * eps`` of ``log p(x | z)`` (a Bernoulli decoder: minus the binary
    cross-entropy, summed over pixels), minus the closed-form
    ``KL(q(z | x) || N(0, I))``. Compared with
    :func:`vaegan.autoencoders.elbo.elbo_parts_from_noise`."""
    name = "elbo_estimate"
    generator = _generator(seed)
    for batch, latent, samples in ((6, 3, 5), (4, 8, 3)):
        x = torch.bernoulli(torch.full((batch, 1, 28, 28), 0.3, dtype=torch.float64), generator=generator)
        decoder = _bernoulli_decoder(latent, generator)
        mu = torch.randn(batch, latent, generator=generator, dtype=torch.float64)
        log_sigma = torch.randn(batch, latent, generator=generator, dtype=torch.float64) * 0.5 - 0.5
        eps = torch.randn(samples, batch, latent, generator=generator, dtype=torch.float64)
        with torch.no_grad():
            result = call(name, function, x, decoder, mu, log_sigma, eps)
            if unattempted(result):
                return not_attempted(name)
            log_likelihood = elbo_module.bernoulli_log_likelihood(decoder)
            reconstruction, kl = elbo_module.elbo_parts_from_noise(x, mu, log_sigma, log_likelihood, eps)
            per_sample = log_likelihood(x, mu + torch.exp(log_sigma) * eps)  # (K, b)
            kl_elements = elbo_module.gaussian_kl(mu, log_sigma)
            wrong_codes = log_likelihood(x, mu + log_sigma * eps).mean(0)
        case = f"{batch} images, {latent} latent dimensions, K = {samples} samples"
        _check_shape(name, result, (batch,), "one ELBO per image (do not average over the batch)")
        compare(name, case, result, reconstruction - kl, mistakes={
            "the KL is added; the ELBO subtracts it (reconstruction minus KL)": reconstruction + kl,
            "the log-likelihood is averaged over pixels; the ELBO sums it over all 784 (nats per image)": reconstruction / 784 - kl,
            "you averaged over pixels and over latent dimensions (the previous chapter's loss), not the ELBO's sums": reconstruction / 784 - kl_elements.mean(-1),
            f"only one sample (eps[0]) is used; the task asks for the average of log p(x | z) over all K = {samples}": per_sample[0] - kl,
            "the log-likelihood is summed over the K samples; average it (a Monte Carlo mean)": per_sample.sum(0) - kl,
            "the KL is averaged over latent dimensions; sum it over them": reconstruction - kl_elements.mean(-1),
            "the KL term is missing": reconstruction,
            "the sign of the reconstruction term: log p(x | z) is MINUS the binary cross-entropy": -reconstruction - kl,
            "the codes are mu + log_sigma * eps; multiply eps by sigma = exp(log_sigma)": wrong_codes - kl,
        })
    return correct(f"{name}: matches the package's ELBO on two batches (K = 5 and 3 samples). Correct.")


# -- exercise 2: the importance-weighted bound from log weights ------------------------------------


def check_log_mean_exp(function: Callable, seed: int = 0) -> Verdict:
    """``function(log_weights (K, b))`` must give ``log (1/K) sum_k w_k`` for each
    column ``(b,)``, finite even when the log weights are near -1000 (or +800). Compared
    with :func:`vaegan.autoencoders.elbo.log_mean_exp`."""
    name = "iwae_from_log_weights"
    generator = _generator(seed)
    cases = [
        ("log weights near -3", 20, 6, -3.0, 2.0),
        ("log weights near -1000, as an image's are far below 0", 50, 4, -1000.0, 20.0),
        ("log weights near +800", 30, 5, 800.0, 5.0),
    ]
    for label, count, batch, centre, spread in cases:
        log_weights = centre + spread * torch.randn(count, batch, generator=generator, dtype=torch.float64)
        result = call(name, function, log_weights.clone())
        if unattempted(result):
            return not_attempted(name)
        case = f"K = {count} samples of {batch} images, {label}"
        _check_shape(name, result, (batch,), "one bound per image: reduce over the K samples (dimension 0)")
        if isinstance(result, Tensor) and not torch.isfinite(result).all():
            raise AssertionError(
                f"{name}: your result is {result.tolist()} ({case}). That is the log of the mean of exp: "
                "exp of a log weight near -1000 underflows to 0 (near +800 it overflows to inf). "
                "Subtract the largest log weight before exponentiating and add it back after (log-sum-exp)."
            )
        compare(name, case, result, elbo_module.log_mean_exp(log_weights), mistakes={
            f"the -log K is missing: log sum_k w_k is not log of the MEAN (here -log K = {-math.log(count):.3f})": torch.logsumexp(log_weights, 0),
            "that is the mean of the log weights, the ELBO's estimate, not the importance-weighted bound": log_weights.mean(0),
            "that is the largest log weight alone; log-sum-exp adds log sum_k exp(log w_k - max) to it": log_weights.max(0).values,
            "that is the largest log weight minus log K; the other weights are missing": log_weights.max(0).values - math.log(count),
        }, tolerance=1e-9)
    return correct(f"{name}: right on log weights near -3, -1000 and +800 (stable). Correct.")


# -- exercise 3: the probabilistic-PCA posterior ---------------------------------------------------


def _posterior_mistakes(x: Tensor, weight: Tensor, bias: Tensor, noise_variance: float) -> tuple[dict, dict]:
    """What the usual mistakes give:
    ``({description: mean}, {description: covariance})``."""
    s2, s = noise_variance, math.sqrt(noise_variance)
    eye = torch.eye(weight.shape[1], dtype=torch.float64)
    centred = (x - bias).T

    def mean(m: Tensor, projection: Tensor, data: Tensor = centred) -> Tensor:
        return torch.linalg.solve(m, projection @ data).T

    right_m, m_with_s, m_without_noise = weight.T @ weight + s2 * eye, weight.T @ weight + s * eye, weight.T @ weight
    means = {
        "you used s where s² belongs in M = WᵀW + s²I": mean(m_with_s, weight.T),
        "M is missing s²I: M = WᵀW + s²I": mean(m_without_noise, weight.T),
        "the mean forgets the bias: it is M⁻¹Wᵀ(x − b), not M⁻¹Wᵀx": mean(right_m, weight.T, x.T),
    }
    covariances = {
        "you used s where s² belongs, in M = WᵀW + s²I and in the covariance s²M⁻¹": s * torch.linalg.inv(m_with_s),
        "you used s where s² belongs in M = WᵀW + s²I": s2 * torch.linalg.inv(m_with_s),
        "you used s where s² belongs in the covariance s²M⁻¹": s * torch.linalg.inv(right_m),
        "the covariance is missing s²: it is s² M⁻¹, not M⁻¹": torch.linalg.inv(right_m),
        "M is missing s²I: M = WᵀW + s²I": s2 * torch.linalg.inv(m_without_noise),
    }
    if weight.shape[0] == weight.shape[1]:  # a square W: a misplaced transpose gives the right shape and wrong values
        wrong_m = weight @ weight.T + s2 * eye
        means.update({
            "the transpose of W is in the wrong place: M = WᵀW + s²I (you wrote W Wᵀ)": mean(wrong_m, weight.T),
            "the transpose of W is in the wrong place: the mean is M⁻¹Wᵀ(x − b) (you used W, not Wᵀ)": mean(right_m, weight),
            "the transpose of W is in the wrong place, in M (W Wᵀ) and in the mean (W)": mean(wrong_m, weight),
        })
        covariances["the transpose of W is in the wrong place: M = WᵀW + s²I (you wrote W Wᵀ)"] = s2 * torch.linalg.inv(wrong_m)
    return means, covariances


def check_ppca_posterior(function: Callable, seed: int = 0) -> Verdict:
    """``function(x (b, D), W (D, d), b (D,), s2)`` must give the exact posterior of
    probabilistic PCA, ``(mean (b, d), covariance (d, d))`` = ``(M⁻¹Wᵀ(x − b), s² M⁻¹)``
    with ``M = WᵀW + s²I``. Compared with
    :meth:`vaegan.autoencoders.linear_gaussian.LinearGaussian.posterior`."""
    name = "ppca_posterior"
    generator = _generator(seed)
    transpose_hint = "check where W is transposed: W is (D, d), M = WᵀW + s²I is (d, d), the mean M⁻¹Wᵀ(x − b) is (d,) per point"
    for data_size, latent_size, batch, noise_variance in ((6, 2, 5, 0.3), (3, 3, 4, 2.5), (10, 3, 7, 0.7)):
        weight = torch.randn(data_size, latent_size, generator=generator, dtype=torch.float64)
        bias = torch.randn(data_size, generator=generator, dtype=torch.float64)
        x = torch.randn(batch, data_size, generator=generator, dtype=torch.float64) * 2 + bias
        case = f"D = {data_size}, d = {latent_size}, s² = {noise_variance}"
        try:
            result = function(x.clone(), weight.clone(), bias.clone(), noise_variance)
        except NotImplementedError:
            result = None
        except RuntimeError as error:  # shape errors from a misplaced transpose land here
            raise AssertionError(f"{name}: your code raised RuntimeError: {error} ({case}); {transpose_hint}") from error
        except Exception as error:
            raise AssertionError(f"{name}: your code raised {type(error).__name__}: {error} ({case})") from error
        if unattempted(result):
            return not_attempted(name)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise AssertionError(f"{name} should return two tensors, (mean (b, d), covariance (d, d)); got {type(result).__name__}")
        mean, covariance = result
        _check_shape(name + " mean", mean, (batch, latent_size), transpose_hint)
        _check_shape(name + " covariance", covariance, (latent_size, latent_size), transpose_hint + " (one covariance shared by every x)")
        expected_mean, expected_covariance = LinearGaussian(weight, bias, math.sqrt(noise_variance)).posterior(x)
        mean_mistakes, covariance_mistakes = _posterior_mistakes(x, weight, bias, noise_variance)
        compare(name + " mean", case, mean, expected_mean, mistakes=mean_mistakes, tolerance=1e-8)
        compare(name + " covariance", case, covariance, expected_covariance, mistakes=covariance_mistakes, tolerance=1e-8)
    return correct(f"{name}: mean and covariance match the exact posterior for three models (one with a square W). Correct.")


# -- bonus: the ELBO of two stochastic layers ------------------------------------------------------


def check_two_layer_elbo(function: Callable, seed: int = 0) -> Verdict:
    """``function(log_likelihood (b,), q_z2, q_z1, p_z1)``, each Gaussian a pair
    ``(mu, log_sigma)`` (``(b, d2)`` for ``q(z2 | x)``, ``(b, d1)`` for
    ``q(z1 | x, z2)`` and ``p(z1 | z2)``), must give
    ``log p(x | z1) - KL(q(z2 | x) || N(0, I)) - KL(q(z1 | x, z2) || p(z1 | z2))``,
    ``(b,)``. Compared with KLs from ``torch.distributions``."""
    name = "two_layer_elbo"
    generator = _generator(seed)
    for batch, bottom, top in ((8, 5, 3), (3, 4, 6)):
        def gaussian(size: int) -> tuple[Tensor, Tensor]:
            return (torch.randn(batch, size, generator=generator, dtype=torch.float64),
                    torch.randn(batch, size, generator=generator, dtype=torch.float64) * 0.6)

        log_likelihood = -100 - 20 * torch.rand(batch, generator=generator, dtype=torch.float64)
        q_z2, q_z1, p_z1 = gaussian(top), gaussian(bottom), gaussian(bottom)
        result = call(name, function, log_likelihood.clone(), q_z2, q_z1, p_z1)
        if unattempted(result):
            return not_attempted(name)

        def normal(pair):
            return Normal(pair[0], pair[1].exp())

        standard = Normal(torch.zeros(()), torch.ones(()))
        kl_top_elements = kl_divergence(normal(q_z2), standard)
        kl_bottom_elements = kl_divergence(normal(q_z1), normal(p_z1))
        kl_top, kl_bottom = kl_top_elements.sum(-1), kl_bottom_elements.sum(-1)
        bottom_to_prior = kl_divergence(normal(q_z1), standard).sum(-1)
        reversed_bottom = kl_divergence(normal(p_z1), normal(q_z1)).sum(-1)
        reversed_top = kl_divergence(standard, normal(q_z2)).sum(-1)
        case = f"{batch} images, d1 = {bottom}, d2 = {top}"
        _check_shape(name, result, (batch,), "one ELBO per image")
        compare(name, case, result, log_likelihood - kl_top - kl_bottom, mistakes={
            "layer 1's KL is measured against N(0, I); its prior is p(z1 | z2), the Gaussian the top layer predicts": log_likelihood - kl_top - bottom_to_prior,
            "the top layer's KL, KL(q(z2 | x) || p(z2)), is missing": log_likelihood - kl_bottom,
            "the bottom layer's KL, KL(q(z1 | x, z2) || p(z1 | z2)), is missing": log_likelihood - kl_top,
            "layer 1's KL is the wrong way round: the ELBO has KL(q || p), not KL(p || q)": log_likelihood - kl_top - reversed_bottom,
            "both KLs are the wrong way round: the ELBO has KL(q || p), not KL(p || q)": log_likelihood - reversed_top - reversed_bottom,
            "the KLs are added; the ELBO subtracts each layer's KL": log_likelihood + kl_top + kl_bottom,
            "both KLs are missing: the ELBO subtracts one KL per layer from log p(x | z1)": log_likelihood,
            "the KLs are averaged over latent dimensions; sum them": log_likelihood - kl_top_elements.mean(-1) - kl_bottom_elements.mean(-1),
        })
    return correct(f"{name}: matches log p(x | z1) minus both layers' KLs (torch.distributions) on two batches. Correct.")
