"""vaegan.gans.losses: the losses, their saturation, and the gradient penalty."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.gans.losses import critic_loss, discriminator_loss, generator_loss, gradient_penalty


def test_discriminator_loss_is_binary_cross_entropy_on_probabilities():
    generator = torch.Generator().manual_seed(0)
    real, fake = torch.randn(16, generator=generator), torch.randn(16, generator=generator)
    expected = F.binary_cross_entropy(torch.sigmoid(real), torch.ones(16)) + F.binary_cross_entropy(torch.sigmoid(fake), torch.zeros(16))
    torch.testing.assert_close(discriminator_loss(real, fake), expected)


def test_minimax_generator_loss_saturates_where_non_saturating_does_not():
    """For a confident discriminator (D(G(z)) = sigmoid(-8)), the two gradients w.r.t. the logit."""
    logits = torch.full((4,), -8.0, requires_grad=True)
    grads = {}
    for kind in ("minimax", "non_saturating"):
        (grads[kind],) = torch.autograd.grad(generator_loss(logits, kind), logits)
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1 - sigmoid(l)); each / batch
    torch.testing.assert_close(grads["minimax"], -torch.sigmoid(logits.detach()) / 4)
    torch.testing.assert_close(grads["non_saturating"], -(1 - torch.sigmoid(logits.detach())) / 4)
    assert grads["non_saturating"].abs().min() > 1000 * grads["minimax"].abs().max()
    with pytest.raises(ValueError, match="unknown generator loss"):
        generator_loss(logits, "wasserstein")


def test_gradient_penalty_of_a_linear_critic_is_exact():
    weight = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(0))

    def critic(x):
        return (x * weight).flatten(1).sum(1)

    real, fake = torch.randn(8, 1, 4, 4), torch.randn(8, 1, 4, 4)
    expected = (weight.norm() - 1) ** 2
    torch.testing.assert_close(gradient_penalty(critic, real, fake), expected)
    assert critic_loss(torch.ones(3), torch.zeros(3)).item() == -1.0
    with pytest.raises(ValueError, match="same shape"):
        gradient_penalty(critic, real, fake[:4])
