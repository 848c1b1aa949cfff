"""Chapter 3's checkers: the VAE, its loss, its training step, and the marginals of its
codes.

Every checker leaves the random state of the notebook as it found it (Python's, NumPy's
and torch's), so running one does not move any number that the page computes after it.
"""

from __future__ import annotations

import contextlib
import copy
import random
from types import SimpleNamespace
from typing import Callable

import numpy as np
import torch
from einops import rearrange
from torch import Tensor

from vaegan.autoencoders.latent import marginal_distance
from vaegan.autoencoders.losses import gaussian_kl
from vaegan.autoencoders.models import VAE
from vaegan.autoencoders.train import VAEArgs, VAETrainer
from vaegan.core.data import ImageTensors
from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted

__all__ = ["check_gaussian_kl", "check_vae", "check_vae_loss", "check_vae_training_step", "check_marginal_distance"]


def _close(got: Tensor, expected: Tensor, tolerance: float) -> bool:
    """Same shape and values within ``tolerance`` (relative to the largest expected
    value above 1)."""
    if got.shape != expected.shape:
        return False
    scale = max(1.0, expected.abs().max().item()) if expected.numel() else 1.0
    return expected.numel() == 0 or (got.double() - expected.double()).abs().max().item() <= tolerance * scale


@contextlib.contextmanager
def _random_state_kept():
    """Run a block that seeds and draws, then put every random state back."""
    state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng():
        try:
            yield
        finally:
            random.setstate(state[0])
            np.random.set_state(state[1])


def check_gaussian_kl(function: Callable, seed: int = 0) -> Verdict:
    """``function(mu, log_sigma)`` must give KL(N(mu, sigma^2) || N(0, 1))
    elementwise."""
    from torch.distributions import Normal, kl_divergence

    generator = torch.Generator().manual_seed(seed)
    # float64, so that the comparison tests the formula rather than float32 rounding
    mu = torch.randn(64, 5, generator=generator, dtype=torch.float64) * 2
    log_sigma = torch.randn(64, 5, generator=generator, dtype=torch.float64)
    result = call("gaussian_kl", function, mu, log_sigma)
    if unattempted(result):
        return not_attempted("gaussian_kl")
    expected = kl_divergence(Normal(mu, log_sigma.exp()), Normal(0.0, 1.0))
    if isinstance(result, Tensor) and tuple(result.shape) != tuple(expected.shape):
        raise AssertionError(f"gaussian_kl: shape {tuple(result.shape)}, expected {tuple(expected.shape)} (one value per element, no sum)")
    sigma, variance = log_sigma.exp(), (2 * log_sigma).exp()
    mistakes = {
        "you used sigma where sigma squared belongs ((mu^2 + sigma^2 - 1) / 2 - log sigma)": 0.5 * (mu**2 + sigma - 1) - log_sigma,
        "the 1/2 in front of (mu^2 + sigma^2 - 1) is missing": (mu**2 + variance - 1) - log_sigma,
        "you read log_sigma as the log variance: here it is log sigma, so sigma^2 = exp(2 log_sigma)": 0.5 * (mu**2 + sigma - 1 - log_sigma),
        "the sign of the log sigma term is flipped: it is minus log sigma": 0.5 * (mu**2 + variance - 1) + log_sigma,
        "you computed the reverse divergence KL(N(0, 1) || N(mu, sigma^2)); the VAE's is KL(q || p), from q to the prior":
            log_sigma + (1 + mu**2) / (2 * variance) - 0.5,
    }
    compare("gaussian_kl", "random means and log sigmas", result, expected, mistakes)
    return correct("gaussian_kl: matches torch.distributions on 320 random pairs. Correct.")


def _check_tuple(name: str, got, expected: dict[str, Tensor], mistakes: dict[str, dict[str, Tensor]], case: str) -> None:
    """``got`` must be the tuple of ``expected``'s values in order. A slot holding
    another slot's value is named as the wrong tuple; ``mistakes[slot]`` are the known
    mistakes for that slot."""
    order = ", ".join(expected)
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        what = f"a tuple of {len(got)}" if isinstance(got, (tuple, list)) else f"one {type(got).__name__}"
        raise AssertionError(f"{name} should return the tuple ({order}); it returned {what}")
    for index, (slot, value) in enumerate(expected.items()):
        item = got[index]
        if not isinstance(item, Tensor):
            raise AssertionError(f"{name}: item {index} ({slot}) should be a tensor, got {type(item).__name__}")
        if _close(item.detach(), value, 1e-4):
            continue
        for other, other_value in expected.items():
            if other != slot and _close(item.detach(), other_value, 1e-4):
                raise AssertionError(f"{name} returned the wrong tuple: item {index} is {other} where {slot} belongs; return ({order})")
        compare(name, f"{slot}, {case}", item, value, mistakes.get(slot))


def check_vae(model_class, latent_size: int = 5, hidden_size: int = 128, seed: int = 0) -> Verdict:
    """Your ``model_class(latent_size, hidden_size)`` must be the package's VAE: the
    same parameters in the same order, an ``encoder`` giving ``(2, b, latent)`` (mu,
    then log sigma), ``sample_latent_vector(x) -> (z, mu, log_sigma)`` drawing ``z``
    with the reparameterisation trick, and
    ``forward(x) -> (reconstruction, mu, log_sigma)``. The package's weights are copied
    into yours and both draw the same noise (``torch.manual_seed`` before each call)."""
    with _random_state_kept():  # building the two models draws their initial weights
        model = call("VAE", model_class, latent_size, hidden_size)
        if unattempted(model):
            return not_attempted("VAE")
        reference = VAE(latent_size, hidden_size)
        ours = [tuple(p.shape) for p in reference.parameters()]
        yours = [tuple(p.shape) for p in model.parameters()]
        if yours != ours:
            raise AssertionError(
                f"VAE: parameter shapes differ: yours {yours}, expected {ours} (the autoencoder's, except that the "
                f"encoder's last linear layer gives 2 * latent_size numbers, mu and log sigma; no bias in the convolutions)"
            )
        with torch.no_grad():
            for mine, theirs in zip(model.parameters(), reference.parameters()):
                mine.copy_(theirs)
        x = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(seed))

        # the encoder: mu and log sigma stacked as (2, b, latent)
        encoded = call("VAE.encoder", model.encoder, x)
        with torch.no_grad():
            flat = reference.encoder[:-1](x)  # (b, 2 * latent), before the split
        interleaved = rearrange(flat, "b (latent two) -> two b latent", two=2)
        compare("VAE.encoder", "8 random images", encoded, reference.encoder(x).detach(), {
            "you split the 2 * latent outputs interleaved ('b (latent two)'); the first latent_size numbers are mu and the "
            "next latent_size are log sigma: Rearrange('b (two latent) -> two b latent', two=2)": interleaved,
            "the encoder returns the flat (b, 2 * latent) output: split it into (2, b, latent), mu then log sigma": flat,
        })

        # sampling: the same eps for both models, then the gradient through z
        torch.manual_seed(seed)
        sampled = call("VAE.sample_latent_vector", model.sample_latent_vector, x)
        if unattempted(sampled):
            return not_attempted("VAE.sample_latent_vector")
        torch.manual_seed(seed)
        eps = torch.randn(8, latent_size)
        with torch.no_grad():
            mu, log_sigma = reference.encoder(x)
        z = mu + log_sigma.exp() * eps
        case = "eps drawn with torch.randn_like(mu) after torch.manual_seed"
        _check_tuple("VAE.sample_latent_vector", sampled, {"z": z, "mu": mu, "log_sigma": log_sigma}, {
            "z": {
                "z uses log sigma as if it were sigma: take its exp first (sigma = log_sigma.exp())": mu + log_sigma * eps,
                "z uses sigma squared: the noise is scaled by sigma, exp(log_sigma)": mu + (2 * log_sigma).exp() * eps,
                "z treats log_sigma as a log variance (exp(log_sigma / 2)); here it is log sigma": mu + (log_sigma / 2).exp() * eps,
                "z is mu, with no noise: add sigma * eps": mu,
            },
            "log_sigma": {"you returned sigma where log sigma belongs": log_sigma.exp()},
        }, case)
        gradients = [p.grad for p in model.encoder.parameters()]
        code = sampled[0]
        if code.requires_grad:
            gradients = torch.autograd.grad(code.sum(), list(model.encoder.parameters()), allow_unused=True)
        if not any(g is not None and bool(g.abs().sum() > 0) for g in gradients):
            raise AssertionError(
                "VAE.sample_latent_vector: no gradient reaches mu and sigma through z, so the encoder could not learn: z was "
                "drawn without the reparameterisation trick (torch.normal(mu, sigma) or Normal(mu, sigma).sample() are cut "
                "off from the gradient); write z = mu + sigma * eps with eps = torch.randn_like(mu)"
            )

        # forward: decode a sampled z, return the tuple the loss needs
        torch.manual_seed(seed)
        output = call("VAE.forward", model, x)
        if unattempted(output):
            return not_attempted("VAE.forward")
        with torch.no_grad():
            reconstruction, decoded_mean = reference.decoder(z), reference.decoder(mu)
        _check_tuple("VAE.forward", output, {"reconstruction": reconstruction, "mu": mu, "log_sigma": log_sigma}, {
            "reconstruction": {
                "forward decoded mu, not a sampled z: decode the z of sample_latent_vector": decoded_mean,
                "forward returned the code z where the reconstruction belongs: decode it": z,
            },
            "log_sigma": {"forward returned sigma where log sigma belongs": log_sigma.exp()},
        }, case)
    return correct(
        "VAE: same parameters as the package's; the encoder, the reparameterised sample (gradients reach mu and sigma) "
        "and forward match with the same noise. Correct."
    )


def _package_vae_losses(decoded: Tensor, images: Tensor, mu: Tensor, log_sigma: Tensor, beta_kl: float) -> dict[str, Tensor]:
    """The package's training objective itself: :meth:`VAETrainer.losses` run on a
    stand-in trainer whose model returns the given outputs, so the checker holds no
    second copy of the loss."""
    stand_in = SimpleNamespace(
        model=lambda images_: (decoded, mu, log_sigma), corrupt=lambda images_: images_,
        args=SimpleNamespace(likelihood="gaussian", beta_kl=beta_kl),
    )
    return VAETrainer.losses(stand_in, images)


def check_vae_loss(function: Callable, seed: int = 0) -> Verdict:
    """``function(decoded (b, 1, 28, 28), images (b, 1, 28, 28), mu (b, latent), log_sigma (b, latent), beta_kl)``
    must give the scalar loss the package's VAE trains on (:meth:`VAETrainer.losses`):
    the mean squared error over batch and pixels plus ``beta_kl`` times the KL averaged
    over batch and latent dimensions."""
    generator = torch.Generator().manual_seed(seed)
    for index, beta in enumerate((0.1, 0.7)):
        images = torch.randn(16, 1, 28, 28, generator=generator, dtype=torch.float64)
        decoded = images + 0.5 * torch.randn(16, 1, 28, 28, generator=generator, dtype=torch.float64)
        mu = torch.randn(16, 5, generator=generator, dtype=torch.float64)
        log_sigma = torch.randn(16, 5, generator=generator, dtype=torch.float64) * 0.7
        result = call("vae_loss", function, decoded, images, mu, log_sigma, beta)
        if unattempted(result):
            return not_attempted("vae_loss")
        expected = _package_vae_losses(decoded, images, mu, log_sigma, beta)["loss"]
        if isinstance(result, Tensor) and result.numel() != 1:
            raise AssertionError(f"vae_loss: shape {tuple(result.shape)}, expected one number (a scalar: average over the batch)")
        if isinstance(result, Tensor):
            result = result.reshape(())
        squared = (decoded - images).square()
        mse, kl = squared.mean(), gaussian_kl(mu, log_sigma)
        variance = (2 * log_sigma).exp()
        mistakes = {
            "the KL is summed over the latent dimensions where the package averages it (mean over batch and dimensions)":
                mse + beta * kl.sum(1).mean(),
            "the KL is summed over the whole batch where the package averages it": mse + beta * kl.sum(),
            "the squared error is summed over the pixels where the package averages it (mean over batch and pixels)":
                squared.flatten(1).sum(1).mean() + beta * kl.mean(),
            "the KL uses sigma where sigma squared belongs ((mu^2 + sigma^2 - 1) / 2 - log sigma)":
                mse + beta * (0.5 * (mu**2 + log_sigma.exp() - 1) - log_sigma).mean(),
            "the 1/2 in front of (mu^2 + sigma^2 - 1) is missing from the KL": mse + beta * ((mu**2 + variance - 1) - log_sigma).mean(),
            "beta is missing: the KL must be weighted by beta_kl": mse + kl.mean(),
            "beta weights the reconstruction instead of the KL": beta * mse + kl.mean(),
            "the KL is subtracted: the loss adds beta times the KL": mse - beta * kl.mean(),
        }
        compare("vae_loss", f"case {index}: beta_kl = {beta}", result, expected, mistakes, tolerance=1e-8)
    return correct("vae_loss: equals the package's VAETrainer.losses on two random batches, beta 0.1 and 0.7. Correct.")


def _small_vae_trainer(seed: int) -> tuple[VAETrainer, list[Tensor]]:
    """A seeded VAE trainer on 16 random images (nothing loaded from disk) and two
    batches to step on."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn(16, 1, 28, 28, generator=generator)
    trainset = ImageTensors(images, torch.zeros(16, dtype=torch.long), "standard")
    args = VAEArgs(seed=seed, batch_size=8, epochs=1, hidden_size=16, device="cpu", progress=False)
    return VAETrainer(args, trainset=trainset, holdout=images[:10]), [images[:8], images[8:]]


def check_vae_training_step(function: Callable, seed: int = 0) -> Verdict:
    """``function(trainer, images (b, 1, 28, 28)) -> dict[str, float]`` must do what the
    package's ``VAETrainer.training_step`` does: the losses of the batch,
    backpropagation of ``"loss"``, one optimiser step, gradients cleared for the next
    step, ``trainer.step`` counted, and the losses returned as numbers. Two steps on a
    copy of a small seeded trainer are compared with two steps of the package's method
    on another copy (same noise), losses and parameters."""
    with _random_state_kept():
        trainer, batches = _small_vae_trainer(seed)
        expected, yours = copy.deepcopy(trainer), copy.deepcopy(trainer)
        initial = [p.detach().clone() for p in trainer.model.parameters()]
        backward_calls = [0]
        for parameter in yours.model.parameters():
            parameter.register_hook(lambda gradient: backward_calls.__setitem__(0, backward_calls[0] + 1))
        stale = None  # the package's step with zero_grad switched off, made when needed
        for index, images in enumerate(batches):
            torch.manual_seed(seed + index)
            wanted = VAETrainer.training_step(expected, images)
            torch.manual_seed(seed + index)
            record = call("training_step", function, yours, images)
            if unattempted(record):
                return not_attempted("training_step")
            case = f"step {index + 1}"
            if backward_calls[0] == 0:
                raise AssertionError("training_step: the loss was not backpropagated: no gradient reached the model's parameters (call losses['loss'].backward())")
            if index == 0 and all(torch.equal(p, q) for p, q in zip(yours.model.parameters(), initial)):
                raise AssertionError(
                    "training_step: the parameters did not change: the optimiser step is missing (call trainer.optimizer.step() after "
                    "backward), or it comes after zero_grad, which clears the gradients it needs"
                )
            if not isinstance(record, dict):
                raise AssertionError(f"training_step should return the dict of losses as numbers ({', '.join(wanted)}), got {type(record).__name__}")
            if set(record) != set(wanted):
                raise AssertionError(f"training_step returned the keys {sorted(record)}, expected {sorted(wanted)} (those of trainer.losses)")
            for key, value in record.items():
                if isinstance(value, Tensor):
                    raise AssertionError(f"training_step: {key!r} is a tensor; return the numbers as Python floats (value.item()), as the package does")
                if abs(value - wanted[key]) > 1e-5 * max(1.0, abs(wanted[key])):
                    raise AssertionError(f"training_step: {key!r} is {value:.6g}, expected {wanted[key]:.6g} ({case}: the losses of trainer.losses on the batch)")
            if yours.step != index + 1:
                raise AssertionError(f"training_step: trainer.step is {yours.step} after {index + 1} step(s); count each step (trainer.step += 1)")
            for (name, mine), theirs in zip(yours.model.named_parameters(), expected.model.parameters()):
                if _close(mine.detach(), theirs.detach(), 1e-5):
                    continue
                if index == 1:
                    if stale is None:
                        stale = copy.deepcopy(trainer)
                        stale.optimizer.zero_grad = lambda *arguments, **keywords: None
                        for step, batch in enumerate(batches):
                            torch.manual_seed(seed + step)
                            VAETrainer.training_step(stale, batch)
                    if all(_close(p.detach(), q.detach(), 1e-5) for p, q in zip(yours.model.parameters(), stale.model.parameters())):
                        raise AssertionError(
                            "training_step: the gradients were not zeroed: the second step added the first batch's gradients to its own "
                            "(call trainer.optimizer.zero_grad() every step)"
                        )
                error = (mine.detach() - theirs.detach()).abs().max().item()
                raise AssertionError(f"training_step: after {case}, parameter {name} differs from the package's by up to {error:.3g}")
    return correct("training_step: two steps give the package's losses and parameters. Correct.")


def check_marginal_distance(function: Callable, seed: int = 0) -> Verdict:
    """``function(codes (n, latent)) -> (latent,)``: for each dimension, the
    Kolmogorov-Smirnov distance between its values and N(0, 1), compared with
    :func:`vaegan.autoencoders.latent.marginal_distance` on codes near, wider than,
    shifted from and spikier than the prior."""
    generator = torch.Generator().manual_seed(seed)
    normal = torch.randn(500, 4, generator=generator, dtype=torch.float64)
    spiked = normal * torch.rand(500, 4, generator=generator, dtype=torch.float64).square()
    codes = torch.stack([normal[:, 0], 2.5 * normal[:, 1], normal[:, 2] + 0.4, spiked[:, 3]], dim=1)
    result = call("marginal_distance", function, codes)
    if unattempted(result):
        return not_attempted("marginal_distance")
    expected = marginal_distance(codes)
    if isinstance(result, Tensor) and tuple(result.shape) != (4,):
        raise AssertionError(f"marginal_distance: shape {tuple(result.shape)}, expected (4,): one distance per latent dimension")
    n = codes.shape[0]
    cdf = torch.special.ndtr(codes.sort(dim=0).values)
    steps = torch.arange(1, n + 1, dtype=torch.float64).unsqueeze(1) / n
    unsorted_cdf = torch.special.ndtr(codes)
    standardised = (codes - codes.mean(0)) / codes.std(0)
    mistakes = {
        "only one side of each jump of the empirical CDF: take the larger of i/n - Phi(x_i) and Phi(x_i) - (i-1)/n":
            (steps - cdf).amax(0),
        "only the other side of each jump: take the larger of i/n - Phi(x_i) and Phi(x_i) - (i-1)/n": (cdf - steps + 1 / n).amax(0),
        "each dimension's values were not sorted before comparing the i-th with i/n":
            torch.maximum(steps - unsorted_cdf, unsorted_cdf - steps + 1 / n).amax(0),
        "you standardised the codes first: the distance is to N(0, 1) itself, so a wrong mean or scale must count":
            marginal_distance(standardised),
    }
    compare("marginal_distance", "500 codes: normal, too wide, shifted, spiked", result, expected, mistakes, tolerance=1e-6)
    return correct("marginal_distance: matches the package on four dimensions (normal, too wide, shifted, spiked). Correct.")
