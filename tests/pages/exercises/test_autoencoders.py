"""Chapter 2's checkers accept the package's solutions, name the usual mistakes, and stay quiet when not attempted."""

import copy

import pytest
import torch
from einops.layers.torch import Rearrange
from torch import nn

from vaegan.autoencoders.contractive import contractive_penalty
from vaegan.autoencoders.models import Autoencoder
from vaegan.autoencoders.train import AutoencoderTrainer
from vaegan.pages import exercises


def autoencoder_class(conv_bias=False, final=None):
    class Learner(nn.Module):
        def __init__(self, latent_size, hidden_size):
            super().__init__()
            self.encoder = nn.Sequential(
                nn.Conv2d(1, 16, 4, 2, 1, bias=conv_bias), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1, bias=conv_bias), nn.ReLU(),
                Rearrange("b c h w -> b (c h w)"), nn.Linear(7 * 7 * 32, hidden_size), nn.ReLU(), nn.Linear(hidden_size, latent_size),
            )
            layers = [
                nn.Linear(latent_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, 7 * 7 * 32), nn.ReLU(),
                Rearrange("b (c h w) -> b c h w", c=32, h=7, w=7),
                nn.ConvTranspose2d(32, 16, 4, 2, 1, bias=conv_bias), nn.ReLU(), nn.ConvTranspose2d(16, 1, 4, 2, 1, bias=conv_bias),
            ]
            self.decoder = nn.Sequential(*layers, *([final] if final else []))

        def forward(self, x):
            return self.decoder(self.encoder(x))

    return Learner


def test_autoencoder_checker():
    assert exercises.check_autoencoder(lambda latent, hidden: Autoencoder(latent, hidden))
    assert exercises.check_autoencoder(autoencoder_class())
    with pytest.raises(AssertionError, match="bias=False"):
        exercises.check_autoencoder(autoencoder_class(conv_bias=True))
    with pytest.raises(AssertionError, match="never negative"):
        exercises.check_autoencoder(autoencoder_class(final=nn.Sigmoid()))


def package_step(trainer, images):
    return AutoencoderTrainer.training_step(trainer, images)


def test_training_step_checker():
    assert exercises.check_training_step(package_step)

    def no_optimiser_step(trainer, images):
        loss = nn.functional.mse_loss(trainer.model(images), images)
        loss.backward()
        trainer.optimizer.zero_grad()
        trainer.step += 1
        return {"loss": loss.item()}

    def never_zeroed(trainer, images):
        loss = nn.functional.mse_loss(trainer.model(images), images)
        loss.backward()
        trainer.optimizer.step()
        trainer.step += 1
        return {"loss": loss.item()}

    def returns_tensor(trainer, images):
        record = package_step(trainer, images)
        return {"loss": torch.tensor(record["loss"])}

    def step_not_counted(trainer, images):
        record = package_step(trainer, images)
        trainer.step -= 1
        return record

    with pytest.raises(AssertionError, match="did not change"):
        exercises.check_training_step(no_optimiser_step)
    with pytest.raises(AssertionError, match="Zero them"):
        exercises.check_training_step(never_zeroed)
    with pytest.raises(AssertionError, match=r"loss.item\(\)"):
        exercises.check_training_step(returns_tensor)
    with pytest.raises(AssertionError, match=r"trainer.step \+= 1"):
        exercises.check_training_step(step_not_counted)


def test_log_samples_checker():
    assert exercises.check_log_samples(lambda trainer: AutoencoderTrainer.log_samples(trainer))

    def with_gradients(trainer):
        snapshot = {"step": trainer.step, "reconstructions": trainer.model(trainer.holdout)}
        trainer.snapshots.append(snapshot)
        return snapshot

    def left_in_eval(trainer):
        trainer.model.eval()
        with torch.no_grad():
            snapshot = {"step": trainer.step, "reconstructions": trainer.model(trainer.holdout)}
        trainer.snapshots.append(snapshot)
        return snapshot

    def not_kept(trainer):
        with torch.no_grad():
            return {"step": trainer.step, "reconstructions": trainer.model(trainer.holdout)}

    with pytest.raises(AssertionError, match="no_grad"):
        exercises.check_log_samples(with_gradients)
    with pytest.raises(AssertionError, match="evaluation mode"):
        exercises.check_log_samples(left_in_eval)
    with pytest.raises(AssertionError, match="trainer.snapshots"):
        exercises.check_log_samples(not_kept)


def test_contractive_penalty_checker():
    assert exercises.check_contractive_penalty(contractive_penalty)

    def whole_code_gradient(encoder, images):
        images = images.detach().requires_grad_(True)
        (gradient,) = torch.autograd.grad(encoder(images).sum(), images, create_graph=True)
        return gradient.flatten(1).square().sum(1).mean()

    def batch_sum(encoder, images):
        return contractive_penalty(encoder, images) * images.shape[0]

    def no_graph(encoder, images):
        return contractive_penalty(encoder, images).detach()

    with pytest.raises(AssertionError, match="one gradient per code number"):
        exercises.check_contractive_penalty(whole_code_gradient)
    with pytest.raises(AssertionError, match="batch mean"):
        exercises.check_contractive_penalty(batch_sum)
    with pytest.raises(AssertionError, match="create_graph=True"):
        exercises.check_contractive_penalty(no_graph)


@pytest.mark.parametrize("checker, unwritten", [
    (exercises.check_autoencoder, lambda latent, hidden: nn.Module()),
    (exercises.check_training_step, lambda trainer, images: None),
    (exercises.check_log_samples, lambda trainer: None),
    (exercises.check_contractive_penalty, lambda encoder, images: None),
])
def test_unattempted_exercises_print_one_line_and_show_nothing(checker, unwritten, capsys):
    verdict = checker(unwritten)
    assert not verdict
    printed = capsys.readouterr().out
    assert "not attempted" in printed and printed.count("\n") == 1
    assert verdict._ipython_display_() is None  # a notebook shows nothing for it



def test_training_step_checker_does_not_blame_zeroing_for_a_fresh_optimiser():
    def fresh_optimiser(trainer, images):
        trainer.optimizer = torch.optim.Adam(trainer.model.parameters(), lr=trainer.args.lr, betas=trainer.args.betas)
        return package_step(trainer, images)

    with pytest.raises(AssertionError, match="after step 2 the parameters differ") as raised:
        exercises.check_training_step(fresh_optimiser)
    assert "Zero them" not in str(raised.value)


def test_log_samples_checker_names_decoding_the_training_images():
    def training_images(trainer):
        with torch.no_grad():
            snapshot = {"step": trainer.step, "reconstructions": trainer.model(trainer.trainset.images[:10])}
        trainer.snapshots.append(snapshot)
        return snapshot

    with pytest.raises(AssertionError, match="first training images"):
        exercises.check_log_samples(training_images)
