"""Chapter 2's checkers: the autoencoder."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted

from vaegan.autoencoders.models import Autoencoder

__all__ = ["check_autoencoder", "check_training_step", "check_log_samples", "check_contractive_penalty"]


def check_autoencoder(model_class, latent_size: int = 5, hidden_size: int = 128, seed: int = 0) -> Verdict:
    """Your ``model_class(latent_size, hidden_size)`` must be ARENA's autoencoder: the
    same parameters in the same order (the package's weights copied into yours give
    the same outputs), an ``encoder`` to ``(b, latent)`` and a ``decoder`` back."""

    model = model_class(latent_size, hidden_size)
    if unattempted(model):
        return not_attempted("Autoencoder")
    reference = Autoencoder(latent_size, hidden_size)
    ours = [tuple(p.shape) for p in reference.parameters()]
    yours = [tuple(p.shape) for p in model.parameters()]
    if yours != ours:
        if len(yours) > len(ours) and sorted(set(yours) - set(ours)) and all(len(shape) == 1 for shape in set(yours) - set(ours)):
            raise AssertionError(
                f"Autoencoder: your network has extra bias vectors {sorted(set(yours) - set(ours))}: "
                f"the convolutions and transposed convolutions take bias=False"
            )
        raise AssertionError(f"Autoencoder: parameter shapes differ: yours {yours}, expected {ours}")
    torch.manual_seed(seed)
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), reference.parameters()):
            mine.copy_(theirs)
        x = torch.randn(4, 1, 28, 28)
        code = model.encoder(x)
        if tuple(code.shape) != (4, latent_size):
            raise AssertionError(f"encoder output has shape {tuple(code.shape)}, expected (4, {latent_size})")
        compare("Autoencoder", "encoder", code, reference.encoder(x))
        output, expected = model(x), reference(x)
        if output.shape == expected.shape and output.min() >= 0 and expected.min() < 0:
            raise AssertionError(
                "Autoencoder: your decoder's output is never negative, but the targets are standardised digits "
                "(-0.42 to 2.8): leave the last layer without an activation (no ReLU or sigmoid)"
            )
        compare("Autoencoder", "forward", output, expected)
    return correct("Autoencoder: same parameters, same encoder and decoder. Correct.")


# ---------------------------------------------------------------------------
# The trainer's two methods, and the contractive penalty (bonus)
# ---------------------------------------------------------------------------


def _small_trainer(seed: int = 0, images: int = 64):
    """A plain autoencoder trainer on random 'digits' (no data files needed), on the
    CPU."""
    from vaegan.autoencoders.train import AutoencoderArgs, AutoencoderTrainer
    from vaegan.core.data import ImageTensors

    generator = torch.Generator().manual_seed(seed)
    pixels = torch.randn(images + 10, 1, 28, 28, generator=generator)
    trainset = ImageTensors(pixels[:images], torch.zeros(images, dtype=torch.long), "standard")
    args = AutoencoderArgs(latent_size=5, hidden_size=32, batch_size=16, epochs=1, seed=seed, device="cpu", progress=False)
    return AutoencoderTrainer(args, trainset=trainset, holdout=pixels[images:])  # not among the training images


def _step_without_zeroing(trainer, images) -> None:
    """The package's step with the usual mistake: the gradients are never cleared."""
    loss = F.mse_loss(trainer.model(images), images)
    loss.backward()
    trainer.optimizer.step()
    trainer.step += 1


def check_training_step(function: Callable, seed: int = 0) -> Verdict:
    """``function(trainer, images)`` must do one optimiser step of the plain autoencoder
    on ``images`` (the mean squared error between ``trainer.model(images)`` and
    ``images``), count it in ``trainer.step`` and return
    ``{"loss": <a Python number>}``. Two steps are compared with the package's
    :meth:`AutoencoderTrainer.training_step` on an identical trainer."""
    name = "training_step"
    reference, learner, unzeroed = _small_trainer(seed), _small_trainer(seed), _small_trainer(seed)
    batches = [reference.trainset.images[:16], reference.trainset.images[16:32]]
    for step, batch in enumerate(batches, 1):
        expected = reference.training_step(batch.clone())
        _step_without_zeroing(unzeroed, batch.clone())
        before = [p.detach().clone() for p in learner.model.parameters()]
        got = call(name, function, learner, batch.clone())
        if unattempted(got):
            return not_attempted(name)
        if not isinstance(got, dict) or "loss" not in got:
            raise AssertionError(f"{name} should return a dict with the batch's loss, e.g. {{'loss': loss.item()}}; got {got!r:.80}")
        if isinstance(got["loss"], torch.Tensor):
            raise AssertionError(f"{name}: return loss.item(), a number, not the tensor (a kept tensor keeps its whole graph in memory)")
        if abs(float(got["loss"]) - expected["loss"]) > 1e-5 * max(1.0, abs(expected["loss"])):
            raise AssertionError(
                f"{name}: step {step} reports loss {float(got['loss']):.6f}, expected {expected['loss']:.6f}: "
                f"the loss is the mean squared error between trainer.model(images) and images"
            )
        after = list(learner.model.parameters())
        if all(torch.equal(old, new) for old, new in zip(before, after)):
            raise AssertionError(f"{name}: the parameters did not change: call trainer.optimizer.step() after loss.backward()")
        if learner.step != step:
            raise AssertionError(f"{name}: after {step} step(s) trainer.step is {learner.step}; count each step with trainer.step += 1")
        worst = max((a - b).abs().max().item() for a, b in zip(learner.model.parameters(), reference.model.parameters()))
        if worst > 1e-5:
            accumulated = max((a - b).abs().max().item() for a, b in zip(learner.model.parameters(), unzeroed.model.parameters()))
            if step == 2 and accumulated <= 1e-5:
                raise AssertionError(
                    f"{name}: the first step matched, the second did not: the first step's gradients were still there "
                    f"and were added to the second's. Zero them every step (trainer.optimizer.zero_grad())"
                )
            raise AssertionError(f"{name}: after step {step} the parameters differ from the expected ones by up to {worst:.3g}")
    return correct(f"{name}: two steps give the same losses and the same parameters as the package's. Correct.")


def check_log_samples(function: Callable, seed: int = 0) -> Verdict:
    """``function(trainer)`` must decode ``trainer.holdout`` with the current model,
    without gradients, append ``{"step": trainer.step, "reconstructions": ...}`` to
    ``trainer.snapshots``, leave the model in the mode it found it in, and return the
    snapshot."""
    name = "log_samples"
    trainer = _small_trainer(seed)
    trainer.step = 7
    got = call(name, function, trainer)
    if unattempted(got):
        return not_attempted(name)
    if not isinstance(got, dict) or not {"step", "reconstructions"} <= set(got):
        raise AssertionError(f"{name} should return the snapshot, a dict with 'step' and 'reconstructions'; got {got!r:.80}")
    if got["step"] != trainer.step:
        raise AssertionError(f"{name}: the snapshot's step is {got['step']!r}; it should be trainer.step ({trainer.step})")
    reconstructions = got["reconstructions"]
    if isinstance(reconstructions, torch.Tensor) and reconstructions.requires_grad:
        raise AssertionError(
            f"{name}: the reconstructions carry a gradient graph: decode under torch.no_grad() "
            f"(a snapshot is for looking at, and a graph kept per snapshot fills the memory)"
        )
    if not trainer.model.training:
        raise AssertionError(
            f"{name}: the model was left in evaluation mode, so training would go on without training-mode layers; "
            f"put it back (model.train()) or use `with vaegan.core.model.mode(model, train=False):`"
        )
    with torch.no_grad():
        expected = trainer.model(trainer.holdout)
        first_batch = trainer.model(trainer.trainset.images[: len(trainer.holdout)])
    compare(name, "the ten holdout images", reconstructions, expected,
            mistakes={"you decoded the first training images; the snapshot is of trainer.holdout": first_batch})
    if not trainer.snapshots or trainer.snapshots[-1] is not got:
        raise AssertionError(f"{name}: append the snapshot to trainer.snapshots (the figures and the explorer read them from there)")
    return correct(f"{name}: the right reconstructions, without gradients, kept in trainer.snapshots. Correct.")


def check_contractive_penalty(function: Callable, seed: int = 0) -> Verdict:
    """``function(encoder, images (b, c, h, w))`` must give the batch mean of the
    squared Frobenius norm of each image's Jacobian ``d encoder(x) / d x``,
    differentiable with respect to the encoder."""
    from vaegan.autoencoders.contractive import contractive_penalty

    name = "contractive_penalty"
    torch.manual_seed(seed)
    encoder = Autoencoder(latent_size=5, hidden_size=16).encoder.double()  # five code numbers, as in the chapter
    images = torch.randn(6, 1, 28, 28, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    got = call(name, function, encoder, images.clone())
    if unattempted(got):
        return not_attempted(name)
    expected = contractive_penalty(encoder, images)
    # what the usual mistakes give
    x = images.clone().requires_grad_(True)
    code = encoder(x)
    (summed,) = torch.autograd.grad(code.sum(), x, retain_graph=True)
    rows = [torch.autograd.grad(code[:, j].sum(), x, retain_graph=True)[0].flatten(1).square().sum(1) for j in range(code.shape[1])]
    per_image = torch.stack(rows).sum(0)
    mistakes = {
        "you took the gradient of the whole code's sum, which adds the Jacobian's rows together before squaring; "
        "take one gradient per code number and add their squared norms": summed.flatten(1).square().sum(1).mean(),
        "you summed over the batch; the penalty is the batch mean, so that it does not grow with the batch size": per_image.sum(),
        "you returned the norm; the penalty is its square": per_image.sqrt().mean(),
    }
    compare(name, "a small encoder, 6 random images (float64)", got, expected.detach(), mistakes=mistakes, tolerance=1e-6)
    if not got.requires_grad:
        raise AssertionError(
            f"{name}: the value is right but it has no gradient, so it cannot train the encoder: "
            f"pass create_graph=True to torch.autograd.grad"
        )
    return correct(f"{name}: the right value, and it can train the encoder. Correct.")
