"""Chapter 5's checkers accept the package's solutions, name the usual mistakes, and stay quiet when not attempted."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.gans.losses import discriminator_loss, generator_loss
from vaegan.gans.train import GANTrainer
from vaegan.pages import exercises


def bce(logits, label, reduction="mean"):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label), reduction=reduction)


def test_discriminator_loss_checker():
    assert exercises.check_discriminator_loss(discriminator_loss)
    assert exercises.check_discriminator_loss(  # written on probabilities: right, if less exact far out
        lambda real, fake: -(torch.sigmoid(real).log().mean() + (1 - torch.sigmoid(fake)).log().mean())
    )
    with pytest.raises(AssertionError, match=r"labels are swapped: real images must be labelled 1 and fakes 0 \(you gave BCE\(real, 0\)"):
        exercises.check_discriminator_loss(lambda real, fake: bce(real, 0.0) + bce(fake, 1.0))
    with pytest.raises(AssertionError, match="sigmoid was applied twice"):
        exercises.check_discriminator_loss(lambda real, fake: bce(torch.sigmoid(real), 1.0) + bce(torch.sigmoid(fake), 0.0))
    with pytest.raises(AssertionError, match="summed over each batch instead of taking the mean"):
        exercises.check_discriminator_loss(lambda real, fake: bce(real, 1.0, "sum") + bce(fake, 0.0, "sum"))
    with pytest.raises(AssertionError, match="one mean over the real and fake batches together"):
        exercises.check_discriminator_loss(
            lambda real, fake: F.binary_cross_entropy_with_logits(
                torch.cat([real, fake]), torch.cat([torch.ones_like(real), torch.zeros_like(fake)])
            )
        )


def test_generator_loss_checker():
    assert exercises.check_generator_loss(generator_loss)
    assert exercises.check_generator_loss(lambda fake: bce(fake, 1.0))
    with pytest.raises(AssertionError, match="this is the minimax loss"):
        exercises.check_generator_loss(lambda fake: generator_loss(fake, "minimax"))
    with pytest.raises(AssertionError, match="the sign is flipped"):
        exercises.check_generator_loss(lambda fake: -bce(fake, 1.0))
    with pytest.raises(AssertionError, match="sign of the minimax loss is flipped"):
        exercises.check_generator_loss(lambda fake: bce(fake, 0.0))


def package_step(trainer, real):
    return GANTrainer.discriminator_step(trainer, real)


def step_with(trainer, real, detach=True, optimizer="d", zero=True):
    fake = trainer.generator(trainer._latents(real.shape[0]))
    if detach:
        fake = fake.detach()
    real_out, fake_out = trainer.discriminator(real), trainer.discriminator(fake)
    loss = discriminator_loss(real_out, fake_out)
    chosen = trainer.optimizer_d if optimizer == "d" else trainer.optimizer_g
    if zero:
        chosen.zero_grad()
    loss.backward()
    chosen.step()
    return {"d_loss": loss.item(), "d_real": torch.sigmoid(real_out).mean().item(), "d_fake": torch.sigmoid(fake_out).mean().item()}


def test_discriminator_step_checker_accepts_the_package_method():
    assert exercises.check_discriminator_step(package_step)
    assert exercises.check_discriminator_step(step_with)


@pytest.mark.parametrize("mistake, message", [
    (dict(detach=False), "the fake batch was not detached"),
    (dict(detach=False, optimizer="g"), "you stepped the generator"),
    (dict(optimizer="g"), "discriminator's parameters did not change"),
    (dict(zero=False), "gradients were not zeroed"),
])
def test_discriminator_step_checker_names_the_mistake(mistake, message):
    with pytest.raises(AssertionError, match=message):
        exercises.check_discriminator_step(lambda trainer, real: step_with(trainer, real, **mistake))


def test_discriminator_step_checker_compares_the_returned_numbers():
    def mean_of_logits(trainer, real):  # d_real must be a mean probability, not a mean logit
        record = step_with(trainer, real)
        return {**record, "d_real": trainer.discriminator(real).mean().item()}

    with pytest.raises(AssertionError, match="returns d_real"):
        exercises.check_discriminator_step(mean_of_logits)


@pytest.mark.parametrize("checker, unwritten", [
    (exercises.check_discriminator_loss, lambda real, fake: None),
    (exercises.check_generator_loss, lambda fake: None),
    (exercises.check_discriminator_step, lambda trainer, real: None),
])
def test_unattempted_exercises_print_one_line_and_show_nothing(checker, unwritten, capsys):
    verdict = checker(unwritten)
    assert not verdict
    printed = capsys.readouterr().out
    assert "not attempted" in printed and printed.count("\n") == 1
    assert verdict._ipython_display_() is None
