"""Chapter 1's checkers: the transposed convolution written by hand, against
PyTorch's."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted

__all__ = ["check_conv_transpose1d_minimal", "check_conv_transpose2d_minimal", "check_output_size", "compare_conv_transpose2d"]


def _stamped(x: Tensor, weight: Tensor, stride: int = 1, *, assign: bool = False, spread: bool = True) -> Tensor:
    """The full (uncropped) stamp-and-add of a batch ``(b, c_in, h, w)``, right by
    default, or with one of two mistakes: each stamp *assigned* over the earlier ones
    instead of added to them, or the stamps placed at ``(row, col)`` instead of
    ``(row * stride, col * stride)`` in an output of the right size."""
    batch, _, height, width = x.shape
    _, out_channels, kernel_height, kernel_width = weight.shape
    out = x.new_zeros(batch, out_channels, (height - 1) * stride + kernel_height, (width - 1) * stride + kernel_width)
    step = stride if spread else 1
    for row in range(height):
        for col in range(width):
            stamp = torch.einsum("bc,cokl->bokl", x[:, :, row, col], weight)
            window = (slice(None), slice(None), slice(row * step, row * step + kernel_height),
                      slice(col * step, col * step + kernel_width))
            if assign:
                out[window] = stamp
            else:
                out[window] += stamp
    return out


def _crop(full: Tensor, start: int, end: int) -> Tensor:
    height, width = full.shape[-2:]
    return full[..., start : height - end, start : width - end]


def _attempt(compute: Callable) -> Tensor | None:
    """What a mistake gives, or None where it cannot even be computed for this case."""
    try:
        return compute()
    except (RuntimeError, ValueError):
        return None


def _known(mistakes: dict) -> dict[str, Tensor]:
    return {description: wrong for description, wrong in mistakes.items() if wrong is not None}


def _conv_transpose1d_mistakes(x: Tensor, weight: Tensor) -> dict[str, Tensor]:
    batched, kernel = x.unsqueeze(0), weight.shape[-1]
    mistakes = {
        "this is a plain convolution: the kernel slid inside the input (width - kernel + 1 outputs); "
        "a transposed convolution stamps a copy of the kernel from every input position":
            _attempt(lambda: F.conv1d(batched, weight.transpose(0, 1)).squeeze(0)),
        "the kernel is flipped the wrong way: a transposed convolution stamps the kernel as it is (if you reversed "
        "it, don't; if you slid it like a convolution over the zero-padded input, reverse it)":
            _attempt(lambda: F.conv1d(batched, weight.transpose(0, 1), padding=kernel - 1).squeeze(0)),
        "each stamp replaced the ones before it (out[...] = stamp): overlapping stamps must add up (+=)":
            _stamped(x[None, :, None], weight[:, :, None], assign=True)[0, :, 0],
    }
    if weight.shape[0] == weight.shape[1]:
        mistakes["the weight was read as (out_channels, in_channels, kernel); a transposed convolution's weight is "
                  "(in_channels, out_channels, kernel)"] = F.conv_transpose1d(batched, weight.transpose(0, 1)).squeeze(0)
    return _known(mistakes)


def check_conv_transpose1d_minimal(function: Callable, cases: int = 6, seed: int = 0) -> Verdict:
    """``function(x (in_channels, width), weight (in_channels, out_channels, kernel_width))``,
    stride 1 and no padding, against ``F.conv_transpose1d`` (float64). Names the plain
    convolution, the kernel flipped the wrong way, stamps that overwrite instead of
    adding, and the weight's channels swapped."""
    generator = torch.Generator().manual_seed(seed)
    for index in range(cases):
        in_channels, out_channels = (int(v) for v in torch.randint(1, 5, (2,), generator=generator))
        if index == 0:
            in_channels = out_channels = 3  # one case where swapped channels still give a result
        width = int(torch.randint(3, 8, (1,), generator=generator))
        kernel = int(torch.randint(2, 5, (1,), generator=generator))
        x = torch.randn(in_channels, width, generator=generator, dtype=torch.float64)
        weight = torch.randn(in_channels, out_channels, kernel, generator=generator, dtype=torch.float64)
        got = call("conv_transpose1d_minimal", function, x, weight)
        if unattempted(got):
            return not_attempted("conv_transpose1d_minimal")
        expected = F.conv_transpose1d(x.unsqueeze(0), weight).squeeze(0)
        case = f"case {index}: in={in_channels}, out={out_channels}, width={width}, kernel={kernel}"
        compare("conv_transpose1d_minimal", case, got, expected, _conv_transpose1d_mistakes(x, weight))
    return correct(f"conv_transpose1d_minimal: all {cases} cases match torch.nn.functional.conv_transpose1d. Correct.")


def _conv_transpose2d_mistakes(x: Tensor, weight: Tensor, stride: int, padding: int) -> dict[str, Tensor]:
    full = _stamped(x, weight, stride)
    mistakes = {
        "the output is cropped by the padding at the top and left only: padding removes p rows and columns "
        "from every border": _crop(full, padding, 0) if padding else None,
        "the output is cropped by the padding at the bottom and right only: padding removes p rows and columns "
        "from every border": _crop(full, 0, padding) if padding else None,
        "the output is not cropped: in a transposed convolution padding removes p rows and columns from every "
        "border of the full output": full if padding else None,
        "the output is padded with zeros: in a transposed convolution padding removes p from every border, "
        "it does not add": F.pad(full, (padding,) * 4) if padding else None,
        "the stamps were placed at (row, col): with stride s, input pixel (row, col) stamps at (row * s, col * s)":
            _crop(_stamped(x, weight, stride, spread=False), padding, padding) if stride > 1 else None,
        "each stamp replaced the ones before it (out[...] = stamp): overlapping stamps must add up (+=)":
            _crop(_stamped(x, weight, stride, assign=True), padding, padding),
        "the kernel is flipped the wrong way: a transposed convolution stamps the kernel as it is (if you flipped "
        "it, don't; if you slid it like a convolution over the zero-stuffed input, flip it in both directions)":
            _attempt(lambda: F.conv_transpose2d(x, weight.flip(2, 3), stride=stride, padding=padding)),
        "this is a plain convolution (the kernel slid inside the input, the stride skipping outputs); a transposed "
        "convolution stamps the kernel from every input pixel":
            _attempt(lambda: F.conv2d(x, weight.transpose(0, 1), stride=stride, padding=padding)),
    }
    return _known(mistakes)


def check_conv_transpose2d_minimal(function: Callable, cases: int = 8, seed: int = 0) -> Verdict:
    """``function(x (b, c_in, h, w), weight (c_in, c_out, kh, kw), stride, padding)``
    against ``F.conv_transpose2d`` (float64), with strides smaller than, equal to and
    larger than the kernel. Names a crop on one side only, no crop, stamps not spread by
    the stride, stamps that overwrite, the kernel flipped the wrong way and a plain
    convolution. Some cases have a non-square kernel (``kh != kw``), so that both kernel
    sizes must be used."""
    generator = torch.Generator().manual_seed(seed)
    # the first cases are fixed so that every mistake shows: stride and padding both above 1, a stride
    # larger than the kernel, a non-square input and a non-square kernel (kh != kw, so that a loop using
    # one kernel size for both axes fails); then random ones. Each is
    # (batch, in_channels, out_channels, height, width, (kh, kw), stride, padding).
    fixed = [(2, 2, 3, 4, 4, (3, 3), 2, 1), (1, 2, 1, 3, 2, (2, 2), 3, 1), (2, 1, 3, 4, 3, (4, 4), 2, 2),
             (1, 2, 2, 3, 4, (3, 2), 2, 1)]
    checked = index = 0
    while checked < cases:
        if index < len(fixed):
            batch, in_channels, out_channels, height, width, kernel, stride, padding = fixed[index]
        else:
            batch, in_channels, out_channels = (int(v) for v in torch.randint(1, 4, (3,), generator=generator))
            height, width = (int(v) for v in torch.randint(2, 6, (2,), generator=generator))
            kernel = tuple(int(v) for v in torch.randint(1, 5, (2,), generator=generator))
            stride = int(torch.randint(1, 4, (1,), generator=generator))
            padding = int(torch.randint(0, min(kernel), (1,), generator=generator)) if min(kernel) > 1 else 0
        index += 1
        x = torch.randn(batch, in_channels, height, width, generator=generator, dtype=torch.float64)
        weight = torch.randn(in_channels, out_channels, *kernel, generator=generator, dtype=torch.float64)
        try:
            expected = F.conv_transpose2d(x, weight, stride=stride, padding=padding)
        except RuntimeError:
            continue  # padding too large for this size: torch refuses, and so may the learner
        if expected.numel() == 0:
            continue  # an empty output checks nothing
        got = call("conv_transpose2d_minimal", function, x, weight, stride, padding)
        if unattempted(got):
            return not_attempted("conv_transpose2d_minimal")
        case = f"case {index}: x {tuple(x.shape)}, kernel {kernel[0]}x{kernel[1]}, stride {stride}, padding {padding}"
        compare("conv_transpose2d_minimal", case, got, expected, _conv_transpose2d_mistakes(x, weight, stride, padding))
        checked += 1
    return correct(f"conv_transpose2d_minimal: all {cases} cases match torch.nn.functional.conv_transpose2d. Correct.")


def _output_size_mistakes(n: int, k: int, s: int, p: int, q: int, d: int) -> dict[str, int]:
    return {
        "the padding is subtracted once: it removes p positions from each end, so subtract 2 * padding": (n - 1) * s - p + d * (k - 1) + q + 1,
        "the padding is added: in a transposed convolution it removes 2 * padding positions": (n - 1) * s + 2 * p + d * (k - 1) + q + 1,
        "output_padding is ignored: it adds q positions at the end": (n - 1) * s - 2 * p + d * (k - 1) + 1,
        "dilation is ignored: one copy of the kernel spans dilation * (kernel_size - 1) + 1 positions": (n - 1) * s - 2 * p + (k - 1) + q + 1,
        "the stride multiplies size instead of size - 1: the last stamp starts at (size - 1) * stride": n * s - 2 * p + d * (k - 1) + q + 1,
        "off by one: the full output has (size - 1) * stride + dilation * (kernel_size - 1) + 1 positions": (n - 1) * s - 2 * p + d * (k - 1) + q,
    }


def check_output_size(function: Callable, seed: int = 0, cases: int = 50) -> Verdict:
    """``function(size, kernel_size, stride, padding, output_padding, dilation) -> int``
    against the shape PyTorch actually produces. Where the answers are those of one
    typical mistake in every case (the padding subtracted once, output padding or
    dilation ignored, the stride applied to ``size``, an off-by-one), the message names
    it."""
    generator = torch.Generator().manual_seed(seed)
    answers = []  # (arguments, what the function gave, what PyTorch gives)
    while len(answers) < cases:
        size, kernel, stride, dilation = (int(v) for v in torch.randint(1, 6, (4,), generator=generator))
        padding = int(torch.randint(0, 4, (1,), generator=generator))
        output_padding = int(torch.randint(0, max(stride, dilation), (1,), generator=generator))
        x, weight = torch.zeros(1, 1, size), torch.zeros(1, 1, kernel)
        try:
            expected = F.conv_transpose1d(x, weight, None, stride, padding, output_padding, 1, dilation).shape[-1]
        except RuntimeError:
            continue
        arguments = (size, kernel, stride, padding, output_padding, dilation)
        got = call("output size", function, *arguments)
        if unattempted(got):
            return not_attempted("output size")
        answers.append((arguments, got, expected))
    wrong = [(arguments, got, expected) for arguments, got, expected in answers if got != expected]
    if not wrong:
        return correct(f"output size: all {cases} random configurations match PyTorch. Correct.")
    arguments, got, expected = wrong[0]
    named = ", ".join(f"{key}={value}" for key, value in zip(
        ("size", "kernel", "stride", "padding", "output_padding", "dilation"), arguments))
    first = f"got {got}, PyTorch gives {expected} for {named}"
    for description in _output_size_mistakes(*arguments):
        if all(got == _output_size_mistakes(*arguments)[description] for arguments, got, _ in answers):
            raise AssertionError(f"output size: {description} ({first}; {len(wrong)} of {cases} configurations wrong)")
    raise AssertionError(f"output size: {first} ({len(wrong)} of {cases} configurations wrong)")


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
    configurations (float64), comparing outputs and the gradients for input, weight and
    bias.

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
