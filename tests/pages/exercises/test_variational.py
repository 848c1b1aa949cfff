"""vaegan.pages.exercises.variational: chapter 3's checkers accept the package's solutions, name the
typical mistakes, and say "not attempted" for an empty answer."""

import random

import numpy as np
import pytest
import torch
from einops.layers.torch import Rearrange
from torch import nn

from vaegan.autoencoders import latent
from vaegan.autoencoders.losses import gaussian_kl, reconstruction_loss
from vaegan.autoencoders.models import VAE, conv_decoder, conv_encoder
from vaegan.autoencoders.train import VAETrainer
from vaegan.pages import exercises


# --- the KL term ---------------------------------------------------------------------------------


def test_gaussian_kl_checker(capsys, assert_not_attempted):
    assert exercises.check_gaussian_kl(gaussian_kl)
    assert_not_attempted(exercises.check_gaussian_kl, lambda mu, log_sigma: None, capsys)
    with pytest.raises(AssertionError, match="sigma where sigma squared belongs"):
        exercises.check_gaussian_kl(lambda mu, log_sigma: 0.5 * (mu**2 + log_sigma.exp() - 1) - log_sigma)
    with pytest.raises(AssertionError, match="1/2 in front"):
        exercises.check_gaussian_kl(lambda mu, log_sigma: mu**2 + (2 * log_sigma).exp() - 1 - log_sigma)
    with pytest.raises(AssertionError, match="reverse divergence"):
        exercises.check_gaussian_kl(lambda mu, log_sigma: log_sigma + (1 + mu**2) / (2 * (2 * log_sigma).exp()) - 0.5)
    with pytest.raises(AssertionError, match="no sum"):
        exercises.check_gaussian_kl(lambda mu, log_sigma: gaussian_kl(mu, log_sigma).sum(1))


# --- the VAE module ------------------------------------------------------------------------------


def make_vae_class(sample=None, forward=None, split="b (two latent) -> two b latent"):
    """A learner's VAE with the right layout; ``sample(mu, log_sigma) -> z`` and ``forward(self, x)`` replace the right ones."""

    class LearnersVAE(nn.Module):
        def __init__(self, latent_size, hidden_size):
            super().__init__()
            self.encoder = nn.Sequential(*conv_encoder((1, 28, 28), (16, 32), hidden_size, 2 * latent_size), Rearrange(split, two=2))
            self.decoder = conv_decoder((1, 28, 28), (16, 32), hidden_size, latent_size)

        def sample_latent_vector(self, x):
            mu, log_sigma = self.encoder(x)
            z = sample(mu, log_sigma) if sample else mu + log_sigma.exp() * torch.randn_like(mu)
            return z, mu, log_sigma

        def forward(self, x):
            if forward:
                return forward(self, x)
            z, mu, log_sigma = self.sample_latent_vector(x)
            return self.decoder(z), mu, log_sigma

    return LearnersVAE


def test_vae_checker_accepts_the_package_and_equivalent_samplers():
    assert exercises.check_vae(lambda latent_size, hidden_size: VAE(latent_size, hidden_size))
    assert exercises.check_vae(make_vae_class())
    assert exercises.check_vae(make_vae_class(sample=lambda mu, log_sigma: torch.distributions.Normal(mu, log_sigma.exp()).rsample()))


def test_vae_checker_names_the_mistakes(capsys, assert_not_attempted):
    class Empty(nn.Module):
        def __init__(self, latent_size, hidden_size):
            super().__init__()

    assert_not_attempted(exercises.check_vae, Empty, capsys)
    with pytest.raises(AssertionError, match="log sigma as if it were sigma"):
        exercises.check_vae(make_vae_class(sample=lambda mu, log_sigma: mu + log_sigma * torch.randn_like(mu)))
    with pytest.raises(AssertionError, match="without the reparameterisation trick"):
        exercises.check_vae(make_vae_class(sample=lambda mu, log_sigma: torch.normal(mu, log_sigma.exp())))
    with pytest.raises(AssertionError, match="without the reparameterisation trick"):
        exercises.check_vae(make_vae_class(sample=lambda mu, log_sigma: torch.distributions.Normal(mu, log_sigma.exp()).sample()))
    with pytest.raises(AssertionError, match="interleaved"):
        exercises.check_vae(make_vae_class(split="b (latent two) -> two b latent"))


def test_vae_checker_names_a_wrong_tuple():
    def swapped(self, x):
        z, mu, log_sigma = self.sample_latent_vector(x)
        return self.decoder(z), log_sigma, mu

    def code_not_image(self, x):
        return self.sample_latent_vector(x)

    def decodes_the_mean(self, x):
        z, mu, log_sigma = self.sample_latent_vector(x)
        return self.decoder(mu), mu, log_sigma

    with pytest.raises(AssertionError, match="wrong tuple: item 1 is log_sigma where mu belongs"):
        exercises.check_vae(make_vae_class(forward=swapped))
    with pytest.raises(AssertionError, match="returned the code z where the reconstruction belongs"):
        exercises.check_vae(make_vae_class(forward=code_not_image))
    with pytest.raises(AssertionError, match="decoded mu, not a sampled z"):
        exercises.check_vae(make_vae_class(forward=decodes_the_mean))
    with pytest.raises(AssertionError, match=r"should return the tuple \(reconstruction, mu, log_sigma\)"):
        exercises.check_vae(make_vae_class(forward=lambda self, x: self.decoder(self.sample_latent_vector(x)[0])))


def test_checkers_leave_the_random_state_alone():
    torch.manual_seed(123), random.seed(4), np.random.seed(5)
    expected = torch.rand(3), random.random(), np.random.rand()
    torch.manual_seed(123), random.seed(4), np.random.seed(5)
    exercises.check_vae(lambda latent_size, hidden_size: VAE(latent_size, hidden_size))
    exercises.check_vae_training_step(VAETrainer.training_step)
    assert torch.equal(torch.rand(3), expected[0]) and random.random() == expected[1] and np.random.rand() == expected[2]


# --- the loss ------------------------------------------------------------------------------------


def package_loss(decoded, images, mu, log_sigma, beta_kl):
    return reconstruction_loss(decoded, images) + beta_kl * gaussian_kl(mu, log_sigma).mean()


def test_vae_loss_checker(capsys, assert_not_attempted):
    assert exercises.check_vae_loss(package_loss)
    assert_not_attempted(exercises.check_vae_loss, lambda *arguments: None, capsys)

    def kl_summed(decoded, images, mu, log_sigma, beta_kl):
        return reconstruction_loss(decoded, images) + beta_kl * gaussian_kl(mu, log_sigma).sum(1).mean()

    def sigma_not_squared(decoded, images, mu, log_sigma, beta_kl):
        kl = 0.5 * (mu**2 + log_sigma.exp() - 1) - log_sigma
        return reconstruction_loss(decoded, images) + beta_kl * kl.mean()

    def beta_missing(decoded, images, mu, log_sigma, beta_kl):
        return reconstruction_loss(decoded, images) + gaussian_kl(mu, log_sigma).mean()

    with pytest.raises(AssertionError, match="KL is summed over the latent dimensions"):
        exercises.check_vae_loss(kl_summed)
    with pytest.raises(AssertionError, match="sigma where sigma squared belongs"):
        exercises.check_vae_loss(sigma_not_squared)
    with pytest.raises(AssertionError, match="beta is missing"):
        exercises.check_vae_loss(beta_missing)


# --- the training step ---------------------------------------------------------------------------


def test_training_step_checker(capsys, assert_not_attempted):
    assert exercises.check_vae_training_step(VAETrainer.training_step)
    assert_not_attempted(exercises.check_vae_training_step, lambda trainer, images: None, capsys)

    def make_step(backward=True, step=True, zero=True, count=True):
        def training_step(trainer, images):
            losses = trainer.losses(images)
            if backward:
                losses["loss"].backward()
            if step:
                trainer.optimizer.step()
            if zero:
                trainer.optimizer.zero_grad()
            if count:
                trainer.step += 1
            return {name: value.item() for name, value in losses.items()}

        return training_step

    assert exercises.check_vae_training_step(make_step())
    with pytest.raises(AssertionError, match="optimiser step is missing"):
        exercises.check_vae_training_step(make_step(step=False))
    with pytest.raises(AssertionError, match="gradients were not zeroed"):
        exercises.check_vae_training_step(make_step(zero=False))
    with pytest.raises(AssertionError, match="loss was not backpropagated"):
        exercises.check_vae_training_step(make_step(backward=False))
    with pytest.raises(AssertionError, match=r"trainer.step is 0"):
        exercises.check_vae_training_step(make_step(count=False))


# --- the bonus: the marginals of the codes -------------------------------------------------------


def test_marginal_distance_checker(capsys, assert_not_attempted):
    assert exercises.check_marginal_distance(latent.marginal_distance)
    assert_not_attempted(exercises.check_marginal_distance, lambda codes: None, capsys)

    def one_sided(codes):
        n = codes.shape[0]
        cdf = torch.special.ndtr(codes.sort(0).values)
        return (torch.arange(1, n + 1, dtype=codes.dtype).unsqueeze(1) / n - cdf).amax(0)

    def standardised(codes):
        return latent.marginal_distance((codes - codes.mean(0)) / codes.std(0))

    with pytest.raises(AssertionError, match="only one side of each jump"):
        exercises.check_marginal_distance(one_sided)
    with pytest.raises(AssertionError, match="standardised the codes first"):
        exercises.check_marginal_distance(standardised)
    with pytest.raises(AssertionError, match="one distance per latent dimension"):
        exercises.check_marginal_distance(lambda codes: latent.marginal_distance(codes.reshape(-1, 1)))
