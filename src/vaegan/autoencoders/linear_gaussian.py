"""Probabilistic PCA: a latent-variable model where every quantity is exact.

    z ~ N(0, I_d),    x | z ~ N(W z + b, s^2 I_D)

Because everything is linear and Gaussian,

* the marginal is Gaussian: ``p(x) = N(b, W W^T + s^2 I)``, so ``log p(x)`` is exact;
* the posterior is Gaussian: ``p(z | x) = N(M^-1 W^T (x - b), s^2 M^-1)`` with
  ``M = W^T W + s^2 I``;
* for a Gaussian ``q(z | x) = N(m, diag sigma^2)`` the ELBO and ``KL(q || p(z | x))``
  have closed forms.

The ELBO chapter uses it to check every identity numerically: ELBO + KL to the posterior
= log p(x), and the Monte Carlo bounds of :mod:`vaegan.autoencoders.elbo` against these
closed forms. :meth:`LinearGaussian.fit` is Tipping and Bishop's (1999)
maximum-likelihood solution from the data's principal components.

All arithmetic is in float64: the identities are checked to many digits.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from vaegan.autoencoders.elbo import LOG_2PI, gaussian_kl

__all__ = ["LinearGaussian"]


class LinearGaussian:
    """``weight (D, d)``, ``bias (D,)``, ``noise_std`` s > 0."""

    def __init__(self, weight: Tensor, bias: Tensor, noise_std: float) -> None:
        if weight.ndim != 2 or bias.shape != (weight.shape[0],):
            raise ValueError(
                f"weight must be (D, d) and bias (D,), got {tuple(weight.shape)} and {tuple(bias.shape)}"
            )
        if not noise_std > 0:
            raise ValueError(f"noise_std must be positive, got {noise_std}")
        self.weight, self.bias = weight.double(), bias.double()
        self.noise_std = float(noise_std)
        self.data_size, self.latent_size = self.weight.shape

    @classmethod
    def fit(cls, data: Tensor, latent_size: int) -> "LinearGaussian":
        """Maximum likelihood on ``data (n, D)``: ``b`` is the mean, ``s^2`` the mean of
        the ``D - d`` smallest covariance eigenvalues, ``W = U_d (L_d - s^2 I)^(1/2)``
        from the ``d`` largest (so the columns of ``W`` are orthogonal)."""
        if data.ndim != 2:
            raise ValueError(
                f"fit takes a matrix (n, D), got shape {tuple(data.shape)}; flatten images first"
            )
        if not 1 <= latent_size < data.shape[1]:
            raise ValueError(
                f"latent_size must be between 1 and D - 1 = {data.shape[1] - 1}, got {latent_size}"
            )
        data = data.double()
        mean = data.mean(0)
        covariance = torch.cov((data - mean).T, correction=0)
        eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending
        eigenvalues, eigenvectors = eigenvalues.flip(0), eigenvectors.flip(1)
        noise_variance = eigenvalues[latent_size:].mean().item()
        if noise_variance <= 0:
            raise ValueError(
                "the data has no variance left outside the top components; use a smaller latent_size"
            )
        scales = (eigenvalues[:latent_size] - noise_variance).clamp_min(0).sqrt()
        return cls(
            eigenvectors[:, :latent_size] * scales, mean, math.sqrt(noise_variance)
        )

    # -- the model -----------------------------------------------------------------

    def _check(self, x: Tensor) -> Tensor:
        if x.ndim != 2 or x.shape[1] != self.data_size:
            raise ValueError(
                f"expected data of shape (batch, {self.data_size}), got {tuple(x.shape)}"
            )
        return x.double()

    def log_likelihood(self, x: Tensor, z: Tensor) -> Tensor:
        """``log p(x | z)`` for ``x (b, D)`` and ``z (n, b, d)``: ``(n, b)`` (the
        interface of :mod:`vaegan.autoencoders.elbo`)."""
        x = self._check(x)
        mean = z.double() @ self.weight.T + self.bias
        return (
            -0.5 * ((x - mean) ** 2).sum(-1) / self.noise_std**2
            - self._log_normaliser()
        )

    def _log_normaliser(self) -> float:
        """``D log(s sqrt(2 pi))``: the normalising constant of ``p(x | z)``."""
        return self.data_size * (math.log(self.noise_std) + 0.5 * LOG_2PI)

    def _m(self) -> Tensor:
        """``M = W^T W + s^2 I``: the posterior's covariance is ``s^2 M^-1``, its
        precision ``M / s^2``."""
        return self.weight.T @ self.weight + self.noise_std**2 * torch.eye(
            self.latent_size, dtype=torch.float64
        )

    def log_marginal(self, x: Tensor) -> Tensor:
        """Exact ``log p(x) = log N(x; b, W W^T + s^2 I)``, ``(b, D) -> (b,)``."""
        x = self._check(x)
        covariance = self.weight @ self.weight.T + self.noise_std**2 * torch.eye(
            self.data_size, dtype=torch.float64
        )
        return torch.distributions.MultivariateNormal(self.bias, covariance).log_prob(x)

    def posterior(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The exact ``p(z | x)``: means ``(b, d)`` and the covariance ``(d, d)`` (the
        same for every x)."""
        x = self._check(x)
        m = self._m()
        mean = torch.linalg.solve(m, self.weight.T @ (x - self.bias).T).T
        return mean, self.noise_std**2 * torch.linalg.inv(m)

    def sample(self, count: int, generator: torch.Generator | None = None) -> Tensor:
        """``count`` draws of ``x``: ``(count, D)``."""
        z = torch.randn(
            count, self.latent_size, generator=generator, dtype=torch.float64
        )
        noise = torch.randn(
            count, self.data_size, generator=generator, dtype=torch.float64
        )
        return z @ self.weight.T + self.bias + self.noise_std * noise

    # -- closed forms for a diagonal Gaussian q(z | x) = N(mu, diag sigma^2) ----------

    def exact_elbo(self, x: Tensor, mu: Tensor, log_sigma: Tensor) -> Tensor:
        """The ELBO without sampling, ``(b,)``:
        ``E_q[log p(x|z)] = -(|x - b - W mu|^2 + sum_j sigma_j^2 |W_j|^2) / (2 s^2) - D log(s sqrt(2 pi))``,
        minus the closed-form ``KL(q || N(0, I))``."""
        x = self._check(x)
        mu, log_sigma = mu.double(), log_sigma.double()
        residual = ((x - self.bias - mu @ self.weight.T) ** 2).sum(-1)
        spread = (torch.exp(2 * log_sigma) * (self.weight**2).sum(0)).sum(-1)
        expected = (
            -0.5 * (residual + spread) / self.noise_std**2 - self._log_normaliser()
        )
        return expected - gaussian_kl(mu, log_sigma).sum(-1)

    def kl_to_posterior(self, x: Tensor, mu: Tensor, log_sigma: Tensor) -> Tensor:
        """``KL(q(z | x) || p(z | x))`` between two Gaussians, ``(b,)``."""
        post_mean, post_cov = self.posterior(x)
        precision = self._m() / self.noise_std**2
        mu, log_sigma = mu.double(), log_sigma.double()
        variances = torch.exp(2 * log_sigma)
        trace = (torch.diagonal(precision) * variances).sum(-1)
        difference = post_mean - mu
        mahalanobis = ((difference @ precision) * difference).sum(-1)
        log_det_ratio = torch.logdet(post_cov) - (2 * log_sigma).sum(-1)
        return 0.5 * (trace + mahalanobis - self.latent_size + log_det_ratio)
