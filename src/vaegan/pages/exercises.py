"""Checkers for the chapters' exercises.

Each checker takes the learner's function, runs it on several random cases and
compares it with PyTorch's own operation.  A wrong answer raises an
``AssertionError`` that says which case failed and how; a function that is not
written yet (returns ``None``) gets a note instead of a traceback, so a learner
can run the whole notebook before starting the exercises.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from vaegan.autoencoders.models import Autoencoder
from vaegan.autoregressive.models import MaskedConv2d

__all__ = [
    "check_conv_transpose1d_minimal",
    "check_conv_transpose2d_minimal",
    "check_output_size",
    "compare_conv_transpose2d",
    "check_autoencoder",
    "check_gaussian_kl",
    "check_causal_mask",
    "check_sequence_nll",
]


def _not_attempted(name: str, result) -> bool:
    if result is None:
        print(f"{name}: not attempted yet (it returned None). Write it, then run this cell again.")
        return True
    return False


def _compare(name: str, case: str, got, expected) -> None:
    if not isinstance(got, torch.Tensor):
        raise AssertionError(f"{name} should return a tensor, got {type(got).__name__} ({case})")
    if got.shape != expected.shape:
        raise AssertionError(f"{name}: shape {tuple(got.shape)}, expected {tuple(expected.shape)} ({case})")
    if expected.numel() == 0:
        return
    error = (got - expected).abs().max().item()
    if not error < 1e-4:
        raise AssertionError(f"{name}: values differ from PyTorch's by up to {error:.3g} ({case})")


def check_conv_transpose1d_minimal(function: Callable, cases: int = 5, seed: int = 0) -> bool:
    """``function(x (in_channels, width), weight (in_channels, out_channels, kernel_width))``,
    stride 1 and no padding, against ``F.conv_transpose1d``."""
    generator = torch.Generator().manual_seed(seed)
    for index in range(cases):
        in_channels, out_channels, width, kernel = (
            int(v) for v in torch.randint(1, 6, (4,), generator=generator)
        )
        x = torch.randn(in_channels, width, generator=generator)
        weight = torch.randn(in_channels, out_channels, kernel, generator=generator)
        got = function(x, weight)
        if _not_attempted("conv_transpose1d_minimal", got):
            return False
        expected = F.conv_transpose1d(x.unsqueeze(0), weight).squeeze(0)
        case = f"case {index}: in={in_channels}, out={out_channels}, width={width}, kernel={kernel}"
        _compare("conv_transpose1d_minimal", case, got, expected)
    print(f"conv_transpose1d_minimal: all {cases} cases match torch.nn.functional.conv_transpose1d.")
    return True


def check_conv_transpose2d_minimal(function: Callable, cases: int = 6, seed: int = 0) -> bool:
    """``function(x (b, c_in, h, w), weight (c_in, c_out, kh, kw), stride, padding)`` against
    ``F.conv_transpose2d``, with strides smaller than, equal to and larger than the kernel."""
    generator = torch.Generator().manual_seed(seed)
    checked = index = 0
    while checked < cases:
        index += 1
        batch, in_channels, out_channels = (int(v) for v in torch.randint(1, 4, (3,), generator=generator))
        height, width = (int(v) for v in torch.randint(2, 6, (2,), generator=generator))
        kernel = int(torch.randint(1, 5, (1,), generator=generator))
        stride = int(torch.randint(1, 4, (1,), generator=generator))
        padding = int(torch.randint(0, kernel, (1,), generator=generator)) if kernel > 1 else 0
        x = torch.randn(batch, in_channels, height, width, generator=generator)
        weight = torch.randn(in_channels, out_channels, kernel, kernel, generator=generator)
        try:
            expected = F.conv_transpose2d(x, weight, stride=stride, padding=padding)
        except RuntimeError:
            continue  # padding too large for this size: torch refuses, and so may the learner
        if expected.numel() == 0:
            continue  # an empty output checks nothing
        got = function(x, weight, stride, padding)
        if _not_attempted("conv_transpose2d_minimal", got):
            return False
        case = f"case {index}: x {tuple(x.shape)}, kernel {kernel}, stride {stride}, padding {padding}"
        _compare("conv_transpose2d_minimal", case, got, expected)
        checked += 1
    print(f"conv_transpose2d_minimal: all {cases} cases match torch.nn.functional.conv_transpose2d.")
    return True


def check_output_size(function: Callable, seed: int = 0, cases: int = 50) -> bool:
    """``function(size, kernel_size, stride, padding, output_padding, dilation) -> int``
    against the shape PyTorch actually produces."""
    generator = torch.Generator().manual_seed(seed)
    checked = 0
    while checked < cases:
        size, kernel, stride, dilation = (int(v) for v in torch.randint(1, 6, (4,), generator=generator))
        padding = int(torch.randint(0, 4, (1,), generator=generator))
        output_padding = int(torch.randint(0, max(stride, dilation), (1,), generator=generator))
        x, weight = torch.zeros(1, 1, size), torch.zeros(1, 1, kernel)
        try:
            expected = F.conv_transpose1d(x, weight, None, stride, padding, output_padding, 1, dilation).shape[-1]
        except RuntimeError:
            continue
        got = function(size, kernel, stride, padding, output_padding, dilation)
        if _not_attempted("output size", got):
            return False
        if got != expected:
            raise AssertionError(
                f"output size: got {got}, PyTorch gives {expected} for size={size}, kernel={kernel}, "
                f"stride={stride}, padding={padding}, output_padding={output_padding}, dilation={dilation}"
            )
        checked += 1
    print(f"output size: all {cases} random configurations match PyTorch.")
    return True


def _random_conv_transpose2d_case(generator: torch.Generator):
    """One random configuration of everything ``conv_transpose2d`` accepts (float64)."""

    def randint(low, high):
        return int(torch.randint(low, high + 1, (1,), generator=generator))

    groups = randint(1, 3)
    in_channels, out_channels = groups * randint(1, 3), groups * randint(1, 3)
    kernel = (randint(1, 5), randint(1, 5))
    stride = (randint(1, 4), randint(1, 4))  # often larger than the kernel
    dilation = (randint(1, 3), randint(1, 3))
    padding = (randint(0, 3), randint(0, 3))
    output_padding = tuple(randint(0, max(s, d) - 1) for s, d in zip(stride, dilation))
    x = torch.randn(randint(1, 3), in_channels, randint(1, 7), randint(1, 7), dtype=torch.float64, generator=generator)
    weight = torch.randn(in_channels, out_channels // groups, *kernel, dtype=torch.float64, generator=generator)
    bias = torch.randn(out_channels, dtype=torch.float64, generator=generator) if randint(0, 1) else None
    return x, weight, bias, (stride, padding, output_padding, groups, dilation)


def compare_conv_transpose2d(function: Callable, configurations: int = 300, seed: int = 0) -> dict:
    """Run ``function`` and ``F.conv_transpose2d`` on ``configurations`` random valid
    configurations (float64), comparing outputs and the gradients for input, weight and bias.

    Where PyTorch refuses a configuration, ``function`` must refuse it too, with a
    ``ValueError``.  Returns the largest errors and how often each feature occurred:
    ``{"worst_value", "worst_gradient", "features": {name: count}}``.
    """
    generator = torch.Generator().manual_seed(seed)
    worst_value = worst_gradient = 0.0
    features = dict.fromkeys(
        ["groups>1", "stride>kernel", "non-square kernel", "non-square stride", "dilation", "output_padding"], 0
    )
    checked = 0
    while checked < configurations:
        x, weight, bias, arguments = _random_conv_transpose2d_case(generator)
        try:
            expected = F.conv_transpose2d(x, weight, bias, *arguments)
        except RuntimeError:
            try:
                function(x, weight, bias, *arguments)
            except ValueError:
                continue
            raise AssertionError(
                f"PyTorch refuses {arguments} for input {tuple(x.shape)}, but the function did not"
            ) from None
        if expected.numel() == 0:
            continue
        inputs = [t.clone().requires_grad_() for t in (x, weight, bias) if t is not None]
        with_bias = bias is not None
        got = function(inputs[0], inputs[1], inputs[2] if with_bias else None, *arguments)
        if got.shape != expected.shape:
            raise AssertionError(f"shape {tuple(got.shape)}, expected {tuple(expected.shape)} for {arguments}")
        worst_value = max(worst_value, (got - expected).abs().max().item())

        grad_output = torch.randn(expected.shape, dtype=torch.float64, generator=generator)
        ours = torch.autograd.grad(got, inputs, grad_output)
        reference = F.conv_transpose2d(inputs[0], inputs[1], inputs[2] if with_bias else None, *arguments)
        theirs = torch.autograd.grad(reference, inputs, grad_output)
        worst_gradient = max(worst_gradient, max((a - b).abs().max().item() for a, b in zip(ours, theirs)))

        stride, _, output_padding, groups, dilation = arguments
        kernel = tuple(weight.shape[2:])
        features["groups>1"] += groups > 1
        features["stride>kernel"] += any(s > k for s, k in zip(stride, kernel))
        features["non-square kernel"] += kernel[0] != kernel[1]
        features["non-square stride"] += stride[0] != stride[1]
        features["dilation"] += dilation != (1, 1)
        features["output_padding"] += output_padding != (0, 0)
        checked += 1
    return {"worst_value": worst_value, "worst_gradient": worst_gradient, "features": features}


# ---------------------------------------------------------------------------
# Chapters 2 and 3: the autoencoder and the KL term
# ---------------------------------------------------------------------------


def check_autoencoder(model_class, latent_size: int = 5, hidden_size: int = 128, seed: int = 0) -> bool:
    """Your ``model_class(latent_size, hidden_size)`` must be ARENA's autoencoder: the
    same parameters in the same order (the package's weights copied into yours give
    the same outputs), an ``encoder`` to ``(b, latent)`` and a ``decoder`` back."""

    model = model_class(latent_size, hidden_size)
    if _not_attempted("Autoencoder", model if list(model.parameters()) else None):
        return False
    reference = Autoencoder(latent_size, hidden_size)
    ours = [tuple(p.shape) for p in reference.parameters()]
    yours = [tuple(p.shape) for p in model.parameters()]
    if yours != ours:
        raise AssertionError(f"parameter shapes differ: yours {yours}, expected {ours} (no bias in the convolutions)")
    torch.manual_seed(seed)
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), reference.parameters()):
            mine.copy_(theirs)
        x = torch.randn(4, 1, 28, 28)
        code = model.encoder(x)
        if tuple(code.shape) != (4, latent_size):
            raise AssertionError(f"encoder output has shape {tuple(code.shape)}, expected (4, {latent_size})")
        _compare("Autoencoder", "encoder", code, reference.encoder(x))
        _compare("Autoencoder", "forward", model(x), reference(x))
    print("Autoencoder: same parameters, same encoder and decoder. Correct.")
    return True


def check_gaussian_kl(function: Callable, seed: int = 0) -> bool:
    """``function(mu, log_sigma)`` must give KL(N(mu, sigma^2) || N(0, 1)) elementwise."""
    from torch.distributions import Normal, kl_divergence

    generator = torch.Generator().manual_seed(seed)
    # float64, so that the comparison tests the formula rather than float32 rounding
    mu = torch.randn(64, 5, generator=generator, dtype=torch.float64) * 2
    log_sigma = torch.randn(64, 5, generator=generator, dtype=torch.float64)
    result = function(mu, log_sigma)
    if _not_attempted("gaussian_kl", result):
        return False
    expected = kl_divergence(Normal(mu, log_sigma.exp()), Normal(0.0, 1.0))
    if tuple(result.shape) != tuple(expected.shape):
        raise AssertionError(f"gaussian_kl: shape {tuple(result.shape)}, expected {tuple(expected.shape)} (one value per element, no sum)")
    _compare("gaussian_kl", "random means and log sigmas", result, expected)
    print("gaussian_kl: matches torch.distributions on 320 random pairs. Correct.")
    return True


def check_causal_mask(function: Callable) -> bool:
    """``function(kernel_size, mask_type)`` must give the ``(k, k)`` mask of a PixelCNN layer: 1 where
    the kernel may look (rows above the centre, and the centre row left of the centre; type "B" also
    the centre itself), 0 elsewhere. Compared with :class:`vaegan.autoregressive.models.MaskedConv2d`."""

    for kernel_size in (1, 3, 5, 7):
        for mask_type in ("A", "B"):
            result = function(kernel_size, mask_type)
            if _not_attempted("causal_mask", result):
                return False
            expected = MaskedConv2d(mask_type, 1, 1, kernel_size).mask[0, 0]
            if not isinstance(result, torch.Tensor) or tuple(result.shape) != tuple(expected.shape):
                raise AssertionError(f"causal_mask({kernel_size}, {mask_type!r}) should be a ({kernel_size}, {kernel_size}) tensor")
            if not torch.equal(result.float(), expected):
                wrong = (result.float() != expected).nonzero().tolist()
                raise AssertionError(f"causal_mask({kernel_size}, {mask_type!r}) is wrong at (row, column) {wrong[:4]}; expected\n{expected}")
    print("causal_mask: right for kernels 1, 3, 5, 7 and both types. Correct.")
    return True


def check_sequence_nll(function: Callable, seed: int = 0) -> bool:
    """``function(logits (b, n), pixels (b, n))`` must give each sequence's negative log-likelihood
    in nats, ``(b,)``: minus the sum over positions of log p(pixel | logit)."""
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(16, 784, generator=generator, dtype=torch.float64) * 4
    pixels = torch.bernoulli(torch.full((16, 784), 0.3, dtype=torch.float64), generator=generator)
    result = function(logits, pixels)
    if _not_attempted("sequence_nll", result):
        return False
    expected = F.binary_cross_entropy_with_logits(logits, pixels, reduction="none").sum(1)
    if isinstance(result, torch.Tensor) and tuple(result.shape) != (16,):
        raise AssertionError(f"sequence_nll: shape {tuple(result.shape)}, expected (16,): one number per sequence, summed over positions")
    _compare("sequence_nll", "16 random sequences of 784 pixels", result, expected)
    print("sequence_nll: matches the summed binary cross-entropy on 16 sequences. Correct.")
    return True
