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

__all__ = ["check_conv_transpose1d_minimal", "check_conv_transpose2d_minimal", "check_output_size"]


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
