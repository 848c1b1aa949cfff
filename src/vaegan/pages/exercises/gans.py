"""Chapter 5's checkers: the two GAN losses and the discriminator's step."""

from __future__ import annotations

import contextlib
import copy
import random
from typing import Callable

import numpy as np

import torch
import torch.nn.functional as F

from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted

__all__ = ["check_discriminator_loss", "check_generator_loss", "check_discriminator_step"]


@contextlib.contextmanager
def _keeping_random_state():
    """Run a checker without moving the notebook's random streams (Python, NumPy,
    torch): the page's later cells draw the same numbers whatever the learner's answer
    did."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


def _logits(seed: int, real_count: int = 48, fake_count: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Real and fake logits (float64) spread over confident and unsure verdicts; batches
    of different sizes, so that one mean over both batches together differs from two
    means added."""
    generator = torch.Generator().manual_seed(seed)
    real = torch.randn(real_count, generator=generator, dtype=torch.float64) * 3 + 1
    fake = torch.randn(fake_count, generator=generator, dtype=torch.float64) * 3 - 1
    return real, fake


def _bce(logits: torch.Tensor, label: float, reduction: str = "mean") -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label), reduction=reduction)


def check_discriminator_loss(function: Callable, seed: int = 0) -> Verdict:
    """``function(real_logits (b,), fake_logits (b',))`` must give
    ``BCE(real, 1) + BCE(fake, 0)``, each averaged over its own batch, computed from
    logits (the discriminator's raw outputs)."""
    from vaegan.gans.losses import discriminator_loss

    name = "discriminator_loss"
    for case, (real, fake) in enumerate([_logits(seed), _logits(seed + 1, 16, 40)]):
        got = call(name, function, real.clone(), fake.clone())
        if unattempted(got):
            return not_attempted(name)
        expected = discriminator_loss(real, fake)
        concatenated = torch.cat([real, fake])
        labels = torch.cat([torch.ones_like(real), torch.zeros_like(fake)])
        mistakes = {
            "the labels are swapped: real images must be labelled 1 and fakes 0 (you gave BCE(real, 0) + BCE(fake, 1))":
                _bce(real, 0.0) + _bce(fake, 1.0),
            "a sigmoid was applied twice: the inputs are already logits, and binary_cross_entropy_with_logits applies "
            "the sigmoid itself (pass the logits, not torch.sigmoid(logits))":
                _bce(torch.sigmoid(real), 1.0) + _bce(torch.sigmoid(fake), 0.0),
            "you summed over each batch instead of taking the mean (the loss must not grow with the batch size)":
                _bce(real, 1.0, "sum") + _bce(fake, 0.0, "sum"),
            "you took one mean over the real and fake batches together; average each batch on its own and add the two":
                F.binary_cross_entropy_with_logits(concatenated, labels),
            "you returned only the real batch's term; add BCE(fake, 0)": _bce(real, 1.0),
            "you returned the discriminator's objective E log D(x) + E log(1 - D(G(z))), which it maximises; "
            "the loss is its negative": -expected,
        }
        compare(name, f"case {case}: {len(real)} real and {len(fake)} fake logits (float64)", got, expected,
                mistakes=mistakes, tolerance=1e-8)
    return correct(f"{name}: matches BCE(real, 1) + BCE(fake, 0) on two pairs of batches. Correct.")


def check_generator_loss(function: Callable, seed: int = 0) -> Verdict:
    """``function(fake_logits (b,))`` must give the non-saturating generator loss
    ``BCE(fake, 1) = -mean log D(G(z))``, computed from logits."""
    from vaegan.gans.losses import generator_loss

    name = "generator_loss"
    _, fake = _logits(seed, 8, 64)
    confident = fake - 6  # a discriminator that rejects the fakes, as early in training
    for case, logits in (("64 fake logits", fake), ("64 confidently rejected fakes", confident)):
        got = call(name, function, logits.clone())
        if unattempted(got):
            return not_attempted(name)
        expected = generator_loss(logits, "non_saturating")
        minimax = generator_loss(logits, "minimax")
        mistakes = {
            "this is the minimax loss, mean log(1 - D(G(z))): it has the same fixed point but its gradient vanishes "
            "when the discriminator rejects the fakes; the non-saturating loss is -mean log D(G(z)) = BCE(fake, 1)": minimax,
            "the sign is flipped: you gave mean log D(G(z)), which the generator would push down; "
            "the loss is -mean log D(G(z))": -expected,
            "the sign of the minimax loss is flipped (-mean log(1 - D(G(z))) = BCE(fake, 0)): that trains the generator "
            "to look fake; the non-saturating loss is BCE(fake, 1)": -minimax,
            "a sigmoid was applied twice: pass the logits to binary_cross_entropy_with_logits, not torch.sigmoid(logits)":
                _bce(torch.sigmoid(logits), 1.0),
            "you summed over the batch instead of taking the mean": _bce(logits, 1.0, "sum"),
        }
        compare(name, f"{case} (float64)", got, expected, mistakes=mistakes, tolerance=1e-8)
    return correct(f"{name}: the non-saturating loss -mean log D(G(z)), on ordinary and on rejected fakes. Correct.")


# ---------------------------------------------------------------------------
# The discriminator's step
# ---------------------------------------------------------------------------


def _small_gan_trainer(seed: int = 0, images: int = 64):
    """A seeded MLP GAN trainer on random 'digits' in [0, 1] (no data files needed), on
    the CPU, after one full training step, so that both optimisers have state."""
    from vaegan.core.data import ImageTensors
    from vaegan.gans.train import GANArgs, GANTrainer

    generator = torch.Generator().manual_seed(seed)
    pixels = torch.rand(images, 1, 28, 28, generator=generator)
    trainset = ImageTensors(pixels, torch.zeros(images, dtype=torch.long), "unit")
    args = GANArgs(
        model="mlp", latent_size=8, hidden_size=32, batch_size=16, train_limit=images, seed=seed, device="cpu", progress=False,
    )
    trainer = GANTrainer(args, trainset=trainset)
    trainer.training_step(pixels[:16])
    return trainer


def _with_stale_gradients(trainer, seed: int):
    """A deep copy of ``trainer`` (a copy drops the gradients) whose discriminator holds
    leftover gradients, as the generator's last backward pass leaves them, and whose
    generator holds none."""
    trainer = copy.deepcopy(trainer)
    generator = torch.Generator().manual_seed(seed)
    for parameter in trainer.discriminator.parameters():
        parameter.grad = torch.randn(parameter.shape, generator=generator) * 0.05
    for parameter in trainer.generator.parameters():
        parameter.grad = None
    return trainer


def _step_without_zeroing(trainer, real):
    """The package's step with the mistake of not zeroing the leftover gradients
    first."""
    from vaegan.gans.losses import discriminator_loss

    with torch.no_grad():
        fake = trainer.generator(trainer._latents(real.shape[0]))
    loss = discriminator_loss(trainer.discriminator(real), trainer.discriminator(fake))
    loss.backward()
    trainer.optimizer_d.step()


def _vector(module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()])


def check_discriminator_step(function: Callable, seed: int = 0) -> Verdict:
    """``function(trainer, real (b, c, h, w))`` must do what
    :meth:`GANTrainer.discriminator_step` does for the ``bce`` loss: draw a fake batch
    ``trainer.generator(trainer._latents(b))`` without gradients, update
    ``trainer.discriminator`` once with ``discriminator_loss`` through
    ``trainer.optimizer_d`` (gradients zeroed first), and return
    ``{"d_loss", "d_real", "d_fake"}`` as Python numbers (the loss, and the mean
    ``sigmoid`` of the real and of the fake logits). Run on a deep copy of a small
    seeded trainer for two steps, against the package's method on another copy."""
    with _keeping_random_state():
        return _check_discriminator_step(function, seed)


def _check_discriminator_step(function: Callable, seed: int) -> Verdict:
    from vaegan.gans.train import GANTrainer

    name = "discriminator_step"
    base = _small_gan_trainer(seed)
    batches = [base.trainset.images[16:32], base.trainset.images[32:48]]
    learner, reference, unzeroed = (_with_stale_gradients(base, seed + 1) for _ in range(3))
    for step, real in enumerate(batches, 1):
        generator_before, discriminator_before = _vector(learner.generator), _vector(learner.discriminator)
        got = call(name, function, learner, real.clone())
        if unattempted(got):
            return not_attempted(name)
        expected = GANTrainer.discriminator_step(reference, real.clone())
        _step_without_zeroing(unzeroed, real.clone())
        if not isinstance(got, dict) or not {"d_loss", "d_real", "d_fake"} <= set(got):
            raise AssertionError(f"{name} should return a dict with 'd_loss', 'd_real' and 'd_fake'; got {got!r:.100}")
        if not torch.equal(_vector(learner.generator), generator_before):
            raise AssertionError(
                f"{name}: the generator's parameters changed: you stepped the generator (trainer.optimizer_g) "
                f"instead of the discriminator; this step calls trainer.optimizer_d.step() only"
            )
        if any(p.grad is not None and p.grad.abs().sum() > 0 for p in learner.generator.parameters()):
            raise AssertionError(
                f"{name}: the fake batch was not detached: the generator's parameters received gradients in the "
                f"discriminator step. Generate it under torch.no_grad() (or .detach() it): this step trains the discriminator only"
            )
        if torch.equal(_vector(learner.discriminator), discriminator_before):
            raise AssertionError(
                f"{name}: the discriminator's parameters did not change: after loss.backward() call trainer.optimizer_d.step() "
                f"(not the generator's optimiser, and do not zero the gradients between backward and step)"
            )
        for key in ("d_loss", "d_real", "d_fake"):
            if isinstance(got[key], torch.Tensor):
                raise AssertionError(f"{name}: return {key} as a Python number (.item()), not a tensor")
        compare(
            name, f"the discriminator's parameters after step {step}", _vector(learner.discriminator),
            _vector(reference.discriminator), tolerance=1e-5,
            mistakes={
                "the gradients were not zeroed: the leftover gradients in the discriminator (from the generator's "
                "backward pass) were added to this step's. Call trainer.optimizer_d.zero_grad() before loss.backward()":
                    _vector(unzeroed.discriminator),
            },
        )
        for key in ("d_loss", "d_real", "d_fake") + (("grad_norm_d",) if "grad_norm_d" in got else ()):
            if abs(float(got[key]) - expected[key]) > 1e-5 * max(1.0, abs(expected[key])):
                meaning = {"d_real": "the mean of sigmoid(discriminator(real))", "d_fake": "the mean of sigmoid(discriminator(fake))",
                           "d_loss": "discriminator_loss(real logits, fake logits)", "grad_norm_d": "the norm of all its gradients"}[key]
                raise AssertionError(
                    f"{name}: step {step} returns {key} = {float(got[key]):.6f}, expected {expected[key]:.6f} ({meaning}, "
                    f"with the fake batch drawn as trainer.generator(trainer._latents(len(real))))"
                )
    return correct(f"{name}: two steps update the discriminator alone, exactly as the package's method. Correct.")
