"""Chapter 6's checkers: the DCGAN networks and their initialisation, the gradient
penalty, and the power iteration of spectral normalisation."""

from __future__ import annotations

import copy
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from vaegan.core.model import mode
from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted
from vaegan.pages.exercises.gans import _keeping_random_state

__all__ = [
    "check_dcgan_generator", "check_dcgan_discriminator", "check_dcgan_initialisation", "check_gradient_penalty",
    "check_largest_singular_value",
]

# (latent_size, hidden_channels, image_shape): MNIST-sized with two stages, and a colour one with three
_CONFIGURATIONS = [(16, (8, 16), (1, 28, 28)), (10, (4, 8, 16), (3, 32, 32))]


def _shapes(modules) -> list[tuple[int, ...]]:
    return [tuple(p.shape) for module in modules for p in module.parameters()]


def _with_biases(modules) -> list[tuple[int, ...]]:
    """The parameter shapes of ``modules`` had every linear and convolution layer a
    bias."""
    shapes = []
    for module in modules:
        shapes += [tuple(p.shape) for p in module.parameters()]
        if isinstance(module, nn.Linear):
            shapes.append((module.out_features,))
        elif isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            shapes.append((module.out_channels,))
    return shapes


def _replaced(net: nn.Sequential, kind: type, make: Callable[[nn.Module], nn.Module]) -> nn.Sequential:
    """A copy of ``net`` with every module of type ``kind`` replaced by
    ``make(module)``."""
    net = copy.deepcopy(net)
    for index, module in enumerate(net):
        if isinstance(module, kind):
            net[index] = make(module)
    return net


def _build(name: str, model_class, *arguments) -> nn.Module:
    try:
        return model_class(*arguments)
    except NotImplementedError:
        return nn.Module()
    except Exception as error:
        raise AssertionError(f"{name}: building it with {arguments} raised {type(error).__name__}: {error}") from error


def _layout_check(name: str, model: nn.Module, expected: list, wrong_layouts: dict[str, list], arguments) -> None:
    yours = _shapes([model])
    if yours == expected:
        return
    for description, layout in wrong_layouts.items():
        if yours == layout:
            raise AssertionError(f"{name}: {description} (built with {arguments})")
    raise AssertionError(
        f"{name}: parameter shapes differ from the package's (built with {arguments}):\n  yours    {yours}\n  expected {expected}"
    )


def _copy_parameters(model: nn.Module, reference: nn.Module) -> None:
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), reference.parameters()):
            mine.copy_(theirs)


# ---------------------------------------------------------------------------
# The two networks
# ---------------------------------------------------------------------------


def check_dcgan_generator(model_class, seed: int = 0) -> Verdict:
    """``model_class(latent_size, hidden_channels, image_shape)`` must be the package's
    :class:`~vaegan.gans.models.DCGANGenerator`: the same parameters in the same order,
    so that its weights copied into yours give the same images ``(b, c, h, w)``, in
    training and in evaluation mode, for two configurations."""
    with _keeping_random_state():
        return _check_dcgan_generator(model_class, seed)


def _check_dcgan_generator(model_class, seed: int) -> Verdict:
    from vaegan.gans.models import DCGANGenerator

    name = "DCGANGenerator"
    torch.manual_seed(seed)
    for latent_size, hidden_channels, image_shape in _CONFIGURATIONS:
        arguments = (latent_size, hidden_channels, image_shape)
        model = _build(name, model_class, *arguments)
        if unattempted(model):
            return not_attempted(name)
        reference = DCGANGenerator(*arguments)
        layers = list(reference.net)
        channels = image_shape[0]
        widest = hidden_channels[-1]
        _layout_check(name, model, _shapes(layers), {
            "batch norm on the output layer: the last transposed convolution goes straight into tanh "
            "(batch norm would fix each output channel's mean and spread, which must match the data's)":
                _shapes(layers[:-1] + [nn.BatchNorm2d(channels)] + layers[-1:]),
            "a bias in the linear or transposed-convolution layers: each is followed by batch norm, whose shift "
            "does the bias's job, so DCGAN uses bias=False (the last one too)": _with_biases(layers),
            "batch norm over the flat projection (BatchNorm1d): reshape to (c, h, w) maps first, then BatchNorm2d(c)":
                _shapes([layers[0], nn.BatchNorm1d(layers[0].out_features)] + layers[3:]),
        }, arguments)
        _copy_parameters(model, reference)
        pristine = copy.deepcopy(reference)  # the mistakes' outputs come from copies: the reference's statistics move once
        z = torch.randn(8, latent_size, generator=torch.Generator().manual_seed(seed))
        got = call(name, model, z)
        if unattempted(got):
            return not_attempted(name)
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (8, *image_shape):
            size = image_shape[1] // 2 ** len(hidden_channels)
            raise AssertionError(
                f"{name}: wrong shape: 8 codes gave {tuple(getattr(got, 'shape', ()))}, expected {(8, *image_shape)} "
                f"(project z to {widest} maps of {size}x{size}; each transposed convolution (kernel 4, stride 2, "
                f"padding 1) doubles the size, through {', '.join(map(str, reversed(hidden_channels[:-1])))}"
                f"{', ' if len(hidden_channels) > 1 else ''}then {channels} channel(s))"
            )
        with torch.no_grad():
            expected = reference(z)
            before_output = copy.deepcopy(pristine.net[:-1])(z)
            mistakes = {
                "sigmoid instead of tanh on the output: DCGAN's images are in [-1, 1], so the output is tanh":
                    torch.sigmoid(before_output),
                "no tanh on the output: the last transposed convolution must go through tanh": before_output,
                "LeakyReLU in the generator: DCGAN's generator uses ReLU (LeakyReLU is for the discriminator)":
                    _replaced(pristine.net, nn.ReLU, lambda m: nn.LeakyReLU(0.2))(z),
            }
        compare(name, f"training mode, configuration {arguments}", got, expected, mistakes=mistakes)
        with mode(model, reference, train=False), torch.no_grad():
            compare(name, f"evaluation mode (running batch-norm statistics), configuration {arguments}", model(z), reference(z))
    return correct(f"{name}: the same layers as the package's in {len(_CONFIGURATIONS)} configurations, "
                   f"the same images in training and evaluation mode. Correct.")


def check_dcgan_discriminator(model_class, seed: int = 0) -> Verdict:
    """``model_class(hidden_channels, image_shape)`` must be the package's
    :class:`~vaegan.gans.models.DCGANDiscriminator` with batch norm: the same parameters
    in the same order, so that its weights copied into yours give the same logits
    ``(b,)``, for two configurations."""
    with _keeping_random_state():
        return _check_dcgan_discriminator(model_class, seed)


def _check_dcgan_discriminator(model_class, seed: int) -> Verdict:
    from vaegan.gans.models import DCGANDiscriminator

    name = "DCGANDiscriminator"
    torch.manual_seed(seed)
    for _, hidden_channels, image_shape in _CONFIGURATIONS:
        arguments = (hidden_channels, image_shape)
        model = _build(name, model_class, *arguments)
        if unattempted(model):
            return not_attempted(name)
        reference = DCGANDiscriminator(*arguments)
        layers = list(reference.net)
        _layout_check(name, model, _shapes(layers), {
            "batch norm on the input layer: the first convolution goes straight into LeakyReLU "
            "(normalising the first layer's output throws away the images' own scale)":
                _shapes(layers[:1] + [nn.BatchNorm2d(hidden_channels[0])] + layers[1:]),
            "no batch norm: every convolution after the first is followed by BatchNorm2d":
                _shapes([m for m in layers if not isinstance(m, nn.BatchNorm2d)]),
            "a bias in the convolutions or the final linear layer: DCGAN uses bias=False": _with_biases(layers),
        }, arguments)
        _copy_parameters(model, reference)
        pristine = copy.deepcopy(reference)
        images = torch.rand(8, *image_shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1
        got = call(name, model, images)
        if unattempted(got):
            return not_attempted(name)
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (8, 1):
            raise AssertionError(
                f"{name}: returns shape (8, 1), where (8,) belongs: one logit per image, as the losses expect "
                f"(take [:, 0] of the linear layer's output)"
            )
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (8,):
            raise AssertionError(f"{name}: 8 images gave shape {tuple(getattr(got, 'shape', ()))}, expected (8,): one logit per image")
        with torch.no_grad():
            expected = reference(images)
            mistakes = {
                "ReLU instead of LeakyReLU: DCGAN's discriminator uses LeakyReLU(0.2), so that fakes get a gradient "
                "where a ReLU would be off": _replaced(pristine.net, nn.LeakyReLU, lambda m: nn.ReLU())(images)[:, 0],
                "LeakyReLU with PyTorch's default slope 0.01: DCGAN uses LeakyReLU(0.2)":
                    _replaced(pristine.net, nn.LeakyReLU, lambda m: nn.LeakyReLU())(images)[:, 0],
                "a sigmoid on the output: the discriminator returns logits, and the losses apply the sigmoid themselves":
                    torch.sigmoid(expected),
            }
        compare(name, f"training mode, configuration {arguments}", got, expected, mistakes=mistakes)
        with mode(model, reference, train=False), torch.no_grad():
            compare(name, f"evaluation mode, configuration {arguments}", model(images), reference(images))
    return correct(f"{name}: the same layers as the package's in {len(_CONFIGURATIONS)} configurations, "
                   f"the same logits. Correct.")


# ---------------------------------------------------------------------------
# The initialisation
# ---------------------------------------------------------------------------


def _kurtosis(values: torch.Tensor) -> float:
    """E (x - mean)^4 / var^2, on about 500,000 evenly spaced values (plenty to tell 3
    from 1.8)."""
    values = values[:: max(1, values.numel() // 500_000)]
    centred = values.double() - values.double().mean()
    return (centred.pow(4).mean() / centred.pow(2).mean().square()).item()


def check_dcgan_initialisation(function: Callable, seed: int = 0) -> Verdict:
    """``function(model)`` must set, in place, every convolution, transposed-convolution
    and linear weight of ``model`` from N(0, 0.02), every batch-norm scale from N(1,
    0.02) and every batch-norm shift to 0, and return the model. The checker runs it on
    ARENA's 64x64 DCGAN (8.6 million parameters, both networks) reset to PyTorch's own
    initialisation, with its batch-norm shifts moved away from 0, and reads the
    statistics of what your function left."""
    with _keeping_random_state():
        return _check_dcgan_initialisation(function, seed)


def _check_dcgan_initialisation(function: Callable, seed: int) -> Verdict:
    from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator

    name = "initialise_dcgan"
    torch.manual_seed(seed)
    networks = {"generator": DCGANGenerator(), "discriminator": DCGANDiscriminator()}
    with torch.no_grad():
        for network in networks.values():
            for module in network.modules():
                if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d)):
                    module.reset_parameters()  # PyTorch's default: uniform weights, scales 1, shifts 0
                if isinstance(module, nn.BatchNorm2d):
                    module.bias.normal_(0.0, 0.1)  # as a trained network's would be
    before = {key: [p.detach().clone() for p in network.parameters()] for key, network in networks.items()}
    attempted = False
    for key, network in networks.items():
        returned = call(name, function, network)
        changed = any(not torch.equal(old, new) for old, new in zip(before[key], network.parameters()))
        attempted = attempted or changed or returned is not None
    if not attempted:
        return not_attempted(name)

    weights, scales, shifts = [], [], []
    for key, network in networks.items():
        old = dict(zip((n for n, _ in network.named_parameters()), before[key]))
        for module_name, module in network.named_modules():
            if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                weight = module.weight.detach()
                where = f"the {key}'s {type(module).__name__} {module_name}"
                if torch.equal(weight, old[f"{module_name}.weight"]):
                    raise AssertionError(
                        f"{name}: {where} was not initialised: its weight is still PyTorch's default. "
                        f"Every Conv2d, ConvTranspose2d and Linear weight gets N(0, 0.02)"
                    )
                mean, std = weight.mean().item(), weight.std().item()
                if abs(std - 0.2) < 0.02:
                    raise AssertionError(f"{name}: std 0.2 in {where}: the weights' standard deviation is 0.02, not 0.2")
                if abs(std - 0.0004) < 0.0001:
                    raise AssertionError(
                        f"{name}: std 0.0004 in {where}: you passed the variance 0.02² where nn.init.normal_ takes "
                        f"the standard deviation, 0.02"
                    )
                if abs(std - 0.02) > 0.002 or abs(mean) > 0.002:
                    raise AssertionError(f"{name}: {where} has mean {mean:.4f} and std {std:.4f}; expected N(0, 0.02)")
                weights.append(weight.flatten())
            elif isinstance(module, nn.BatchNorm2d):
                scales.append(module.weight.detach())
                shifts.append(module.bias.detach())
    kurtosis = _kurtosis(torch.cat(weights))
    if abs(kurtosis - 3) > 0.3:
        raise AssertionError(
            f"{name}: the weights have the right spread but not a normal distribution (kurtosis {kurtosis:.2f}, "
            f"a normal's is 3, a uniform's 1.8): draw them with nn.init.normal_(weight, 0.0, 0.02)"
        )
    scales, shifts = torch.cat(scales), torch.cat(shifts)
    if torch.all(scales == 1):
        raise AssertionError(
            f"{name}: batch norm scales left at 1 (PyTorch's default): DCGAN draws them from N(1, 0.02)"
        )
    if abs(scales.mean().item()) < 0.1:
        raise AssertionError(
            f"{name}: batch norm scales drawn from N(0, 0.02) (mean {scales.mean().item():.4f}): the scales multiply "
            f"each normalised channel, so a scale near 0 switches it off; draw them from N(1, 0.02)"
        )
    if abs(scales.mean().item() - 1) > 0.005 or abs(scales.std().item() - 0.02) > 0.005:
        raise AssertionError(
            f"{name}: batch norm scales have mean {scales.mean().item():.4f} and std {scales.std().item():.4f}; expected N(1, 0.02)"
        )
    if not torch.all(shifts == 0):
        raise AssertionError(f"{name}: batch norm shifts (module.bias) are not all 0 (largest {shifts.abs().max().item():.3g}): set them to 0")
    count = sum(p.numel() for network in networks.values() for p in network.parameters())
    return correct(f"{name}: on {count:,} parameters, weights N(0, 0.02), batch-norm scales N(1, 0.02), shifts 0. Correct.")


# ---------------------------------------------------------------------------
# The gradient penalty
# ---------------------------------------------------------------------------


def _small_critic(seed: int) -> nn.Module:
    """``(b, 1, 6, 6) -> (b,)`` scores, float64, no batch norm (as a WGAN-GP critic)."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 4, stride=2, padding=1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 3 * 3, 8), nn.Tanh(),
        nn.Linear(8, 1), nn.Flatten(0),
    ).double()


def _interpolated_gradients(critic, real, fake, seed: int, per_pixel: bool = False) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    # drawn in float32 and then converted, as the package draws it (and as torch.rand does by default)
    t = torch.rand(real.shape if per_pixel else (real.shape[0], 1, 1, 1), generator=generator).to(real.dtype)
    between = (t * real + (1 - t) * fake).requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(between).sum(), between)
    return gradients


def check_gradient_penalty(function: Callable, seed: int = 0) -> Verdict:
    """``function(critic, real (b, c, h, w), fake (b, c, h, w), generator)`` must give
    the gradient penalty of :func:`vaegan.gans.losses.gradient_penalty`: ``t ~ U(0, 1)``
    per sample, drawn as ``torch.rand(b, 1, 1, 1, generator=generator)``,
    ``x_hat = t real + (1 - t) fake``, and the batch mean of
    ``(|grad critic(x_hat)| - 1)^2``, differentiable with respect to the critic's
    parameters. Compared on a small float64 critic with the same interpolation noise,
    value and gradient."""
    with _keeping_random_state():
        return _check_gradient_penalty(function, seed)


def _check_gradient_penalty(function: Callable, seed: int) -> Verdict:
    from vaegan.gans.losses import gradient_penalty

    name = "gradient_penalty"
    critic = _small_critic(seed)
    data = torch.Generator().manual_seed(seed + 1)
    real = torch.rand(6, 1, 6, 6, generator=data, dtype=torch.float64) * 2 - 1
    fake = torch.randn(6, 1, 6, 6, generator=data, dtype=torch.float64) * 0.5
    noise_seed = seed + 2
    got = call(name, function, critic, real.clone(), fake.clone(), torch.Generator().manual_seed(noise_seed))
    if unattempted(got):
        return not_attempted(name)
    expected = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(noise_seed))
    gradients = _interpolated_gradients(critic, real, fake, noise_seed)
    norms = gradients.flatten(1).norm(dim=1)
    per_pixel = _interpolated_gradients(critic, real, fake, noise_seed, per_pixel=True).flatten(1).norm(dim=1)
    mistakes = {
        "you penalised the norm instead of (norm - 1)²: the penalty pulls each gradient's norm towards 1, "
        "the Lipschitz constant of the optimal critic, not towards 0": norms.mean(),
        "you penalised the squared norm instead of (norm - 1)²": norms.square().mean(),
        "you took one norm over the whole batch instead of per sample: flatten each sample's gradient "
        "(gradients.flatten(1)), take its norm (dim=1), then average (norm - 1)² over the batch":
            (gradients.norm() - 1) ** 2,
        "you summed (norm - 1)² over the batch instead of taking the mean": ((norms - 1) ** 2).sum(),
        "you drew t for every pixel: draw one t per sample, torch.rand(b, 1, 1, 1, generator=generator), so that "
        "x_hat lies on the line between a real and a fake image": ((per_pixel - 1) ** 2).mean(),
        "you forgot the square: the penalty is (norm - 1)², not |norm - 1|": (norms - 1).abs().mean(),
    }
    compare(name, "a small critic, 6 real and 6 fake images (float64), the same t", got, expected.detach(),
            mistakes=mistakes, tolerance=1e-8)
    parameters = list(critic.parameters())
    if not got.requires_grad:
        raise AssertionError(
            f"{name}: create_graph missing: the value is right, but the penalty does not depend on the critic's "
            f"parameters, so it cannot train the critic. Pass create_graph=True to torch.autograd.grad"
        )
    yours = torch.autograd.grad(got, parameters, allow_unused=True)
    if all(g is None or not g.abs().sum() for g in yours):
        raise AssertionError(
            f"{name}: create_graph missing: the penalty's gradient with respect to the critic's parameters is zero. "
            f"Pass create_graph=True to torch.autograd.grad"
        )
    # the last layer's bias shifts every score alike, so the penalty does not depend on it (None)
    theirs = torch.autograd.grad(expected, parameters, allow_unused=True)
    for index, (mine, reference, parameter) in enumerate(zip(yours, theirs, parameters)):
        zero = torch.zeros_like(parameter)
        compare(name, f"the penalty's gradient for the critic's parameter {index}",
                zero if mine is None else mine, zero if reference is None else reference, tolerance=1e-8)
    return correct(f"{name}: the right penalty, and it trains the critic (its gradient matches). Correct.")


# ---------------------------------------------------------------------------
# Spectral normalisation's power iteration
# ---------------------------------------------------------------------------


def _unnormalised_iteration(matrix: torch.Tensor, iterations: int, v: torch.Tensor) -> torch.Tensor:
    for _ in range(iterations):
        u = matrix @ v
        v = matrix.T @ u
    return u @ (matrix @ v)


def check_largest_singular_value(function: Callable, seed: int = 0) -> Verdict:
    """``function(weight (out, ...), iterations, v (rest,))`` must run ``iterations``
    steps of power iteration on ``weight`` read as the matrix ``(out, rest)``
    (``weight.flatten(1)``), from the start vector ``v``: ``u = normalise(W v)``,
    ``v = normalise(W^T u)``, and return ``(sigma, u, v)`` with ``sigma = u^T W v``.
    Compared with :func:`vaegan.gans.spectral.largest_singular_value` on a matrix and on
    a convolution kernel, after 1, 3 and 30 iterations (float64)."""
    from vaegan.gans.spectral import largest_singular_value, weight_matrix

    name = "largest_singular_value"
    generator = torch.Generator().manual_seed(seed)
    cases = [
        ("a (5, 7) matrix", torch.randn(5, 7, generator=generator, dtype=torch.float64)),
        ("a (6, 3, 3, 3) convolution kernel", torch.randn(6, 3, 3, 3, generator=generator, dtype=torch.float64)),
    ]
    for description, weight in cases:
        matrix = weight_matrix(weight)
        start = F.normalize(torch.randn(matrix.shape[1], generator=generator, dtype=torch.float64), dim=0)
        for iterations in (1, 3, 30):
            case = f"{description}, {iterations} iteration(s)"
            try:
                got = function(weight.clone(), iterations, start.clone())
            except NotImplementedError:
                return not_attempted(name)
            except Exception as error:
                if weight.ndim > 2:
                    raise AssertionError(
                        f"{name}: your code raised {type(error).__name__} on {description}: {error}. Not reshaping a "
                        f"convolution kernel? Read (out, in, kh, kw) as the matrix (out, in·kh·kw) first, "
                        f"weight.flatten(1), as torch's spectral_norm does"
                    ) from error
                raise AssertionError(f"{name}: your code raised {type(error).__name__} on {description}: {error}") from error
            if unattempted(got):
                return not_attempted(name)
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                raise AssertionError(f"{name} should return (sigma, u, v); got {type(got).__name__} ({case})")
            sigma, u, v = got
            expected_sigma, expected_u, expected_v = largest_singular_value(weight, iterations, start)
            if isinstance(u, torch.Tensor) and isinstance(v, torch.Tensor) and u.ndim == 1 and v.ndim == 1:
                if abs(u.norm().item() - 1) > 1e-6 or abs(v.norm().item() - 1) > 1e-6:
                    raise AssertionError(
                        f"{name}: you forgot to normalise the vectors: u has norm {u.norm().item():.4g} and v "
                        f"{v.norm().item():.4g}. Divide each by its norm at every iteration, or the iteration grows "
                        f"without bound ({case})"
                    )
            compare(name, f"sigma, {case}", torch.as_tensor(sigma, dtype=torch.float64), expected_sigma, tolerance=1e-8, mistakes={
                "you used the Frobenius norm (the root of the sum of squares); spectral normalisation divides by the "
                "largest singular value, which is smaller": torch.linalg.matrix_norm(matrix),
                "you forgot to normalise the vectors": _unnormalised_iteration(matrix, iterations, start),
                "sigma = |W v| is not the estimate: use sigma = u^T W v with the last u and v (torch's)":
                    (matrix @ expected_v).norm(),
                "you returned the exact largest singular value (torch.linalg.matrix_norm(W, ord=2)), not the power "
                "iteration's estimate after these iterations": torch.linalg.matrix_norm(matrix, ord=2),
            })
            compare(name, f"u, {case}", u, expected_u, tolerance=1e-8)
            compare(name, f"v, {case}", v, expected_v, tolerance=1e-8)
    return correct(f"{name}: sigma, u and v match on a matrix and a convolution kernel after 1, 3 and 30 iterations. Correct.")
