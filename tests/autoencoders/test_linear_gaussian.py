"""vaegan.autoencoders.linear_gaussian: the exact model checks the ELBO and the IWAE bound."""

import torch


def test_elbo_plus_kl_to_posterior_is_log_marginal(ppca, poor_q):
    model, x = ppca
    mu, log_sigma = poor_q(model, x)
    total = model.exact_elbo(x, mu, log_sigma) + model.kl_to_posterior(x, mu, log_sigma)
    torch.testing.assert_close(total, model.log_marginal(x), rtol=0, atol=1e-9)
    assert (model.kl_to_posterior(x, mu, log_sigma) > 0.1).all()


def test_fitted_posterior_is_diagonal_and_closes_the_gap(ppca):
    model, x = ppca
    mean, covariance = model.posterior(x)
    assert torch.allclose(covariance, torch.diag(torch.diagonal(covariance)), atol=1e-12)
    log_sigma = torch.diagonal(covariance).sqrt().log().expand_as(mean)
    torch.testing.assert_close(model.exact_elbo(x, mean, log_sigma), model.log_marginal(x), rtol=0, atol=1e-9)
    torch.testing.assert_close(model.kl_to_posterior(x, mean, log_sigma), torch.zeros(len(x), dtype=torch.float64), rtol=0, atol=1e-9)
