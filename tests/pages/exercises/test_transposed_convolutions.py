"""Chapter 1's checkers accept the package's solutions, name the typical mistakes, and say "not attempted"."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.convtranspose import operations as convtranspose
from vaegan.pages import exercises as checks


def test_the_checkers_accept_the_package_solutions(capsys):
    assert checks.check_conv_transpose1d_minimal(convtranspose.conv_transpose1d_minimal)
    assert checks.check_conv_transpose2d_minimal(convtranspose.conv_transpose2d_minimal)
    assert checks.check_output_size(convtranspose.conv_transpose_output_size)
    assert capsys.readouterr().out.count("Correct.") == 3


@pytest.mark.parametrize(
    "checker, unwritten",
    [
        (checks.check_conv_transpose1d_minimal, lambda x, weight: None),
        (checks.check_conv_transpose2d_minimal, lambda x, weight, stride=1, padding=0: None),
        (checks.check_output_size, lambda size, kernel_size, stride, padding, output_padding, dilation: None),
    ],
)
def test_an_unattempted_exercise_says_so_and_fails_quietly(checker, unwritten, capsys):
    verdict = checker(unwritten)
    assert not verdict
    output = capsys.readouterr().out
    assert "not attempted" in output and output.count("\n") == 1


# --- exercise 1: the minimal transposed convolution --------------------------------------------------


def stamp_1d(x, weight, *, assign=False, einsum="c,cok->ok"):
    """A learner's loop, right by default."""
    width, kernel = x.shape[1], weight.shape[-1]
    out = x.new_zeros(weight.shape[1], width + kernel - 1)
    for position in range(width):
        stamp = torch.einsum(einsum, x[:, position], weight)
        if assign:
            out[:, position : position + kernel] = stamp
        else:
            out[:, position : position + kernel] += stamp
    return out


def test_a_hand_written_1d_loop_passes():
    assert checks.check_conv_transpose1d_minimal(stamp_1d)


def test_the_1d_checker_names_its_mistakes():
    def plain_convolution(x, weight):  # sliding inside the input: the classic confusion
        return F.conv1d(x[None], weight.transpose(0, 1))[0]

    def not_flipped(x, weight):  # the "full" convolution, the kernel as it is
        return F.conv1d(x[None], weight.transpose(0, 1), padding=weight.shape[-1] - 1)[0]

    with pytest.raises(AssertionError, match="this is a plain convolution"):
        checks.check_conv_transpose1d_minimal(plain_convolution)
    with pytest.raises(AssertionError, match="the kernel is flipped the wrong way"):
        checks.check_conv_transpose1d_minimal(not_flipped)
    with pytest.raises(AssertionError, match="the kernel is flipped the wrong way"):  # the same output, stamped reversed
        checks.check_conv_transpose1d_minimal(lambda x, weight: stamp_1d(x, weight.flip(-1)))
    with pytest.raises(AssertionError, match="each stamp replaced the ones before it"):
        checks.check_conv_transpose1d_minimal(lambda x, weight: stamp_1d(x, weight, assign=True))
    with pytest.raises(AssertionError, match=r"the weight was read as \(out_channels, in_channels, kernel\)"):
        checks.check_conv_transpose1d_minimal(lambda x, weight: stamp_1d(x, weight, einsum="c,ock->ok"))
    with pytest.raises(AssertionError, match="differ"):  # not a known mistake: still refused
        checks.check_conv_transpose1d_minimal(lambda x, weight: stamp_1d(x, weight) * 0.5)


# --- exercise 2: the output size ---------------------------------------------------------------------


def test_the_output_size_checker_names_its_mistakes():
    def size_with(n, k, s, p, q, d, *, paddings=2, with_output_padding=True, with_dilation=True, plus=1):
        return (n - 1) * s - paddings * p + (d if with_dilation else 1) * (k - 1) + q * with_output_padding + plus

    with pytest.raises(AssertionError, match="the padding is subtracted once"):
        checks.check_output_size(lambda *a: size_with(*a, paddings=1))
    with pytest.raises(AssertionError, match="output_padding is ignored"):
        checks.check_output_size(lambda *a: size_with(*a, with_output_padding=False))
    with pytest.raises(AssertionError, match="dilation is ignored"):
        checks.check_output_size(lambda *a: size_with(*a, with_dilation=False))
    with pytest.raises(AssertionError, match="off by one"):
        checks.check_output_size(lambda *a: size_with(*a, plus=0))
    with pytest.raises(AssertionError, match="the stride multiplies size"):
        checks.check_output_size(lambda n, k, s, p, q, d: n * s - 2 * p + d * (k - 1) + q + 1)
    with pytest.raises(AssertionError, match=r"output size: got \d+, PyTorch gives"):  # two mistakes at once
        checks.check_output_size(lambda *a: size_with(*a, paddings=1, with_dilation=False))


# --- exercise 3: the 2D loop with stride and padding -------------------------------------------------


def stamp_2d(x, weight, stride=1, padding=0, *, crop=(True, True), assign=False, spread=True, square=False):
    """A learner's loop, right by default; ``crop`` says whether the start and the end are cropped, and
    ``square=True`` uses the kernel's height for both axes."""
    batch, _, height, width = x.shape
    _, out_channels, kh, kw = weight.shape
    if square:
        kw = kh
    out = x.new_zeros(batch, out_channels, (height - 1) * stride + kh, (width - 1) * stride + kw)
    step = stride if spread else 1  # spread=False: the stamps not moved apart by the stride
    for row in range(height):
        for col in range(width):
            stamp = torch.einsum("bc,cokl->bokl", x[:, :, row, col], weight)
            window = (slice(None), slice(None), slice(row * step, row * step + kh), slice(col * step, col * step + kw))
            if assign:
                out[window] = stamp
            else:
                out[window] += stamp
    start, end = padding * crop[0], padding * crop[1]
    return out[:, :, start : out.shape[2] - end, start : out.shape[3] - end]


def test_a_hand_written_2d_loop_passes():
    assert checks.check_conv_transpose2d_minimal(stamp_2d)


def test_the_2d_checker_has_a_non_square_kernel():
    shapes = []

    def recording(x, weight, stride=1, padding=0):
        shapes.append(tuple(weight.shape[2:]))
        return convtranspose.conv_transpose2d_minimal(x, weight, stride, padding)

    assert checks.check_conv_transpose2d_minimal(recording)
    assert any(kh != kw for kh, kw in shapes), shapes


def test_the_2d_checker_rejects_one_kernel_size_for_both_axes():
    with pytest.raises(AssertionError, match="conv_transpose2d_minimal"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: stamp_2d(x, w, s, p, square=True))


def test_the_2d_checker_names_its_mistakes():
    with pytest.raises(AssertionError, match="cropped by the padding at the top and left only"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: stamp_2d(x, w, s, p, crop=(True, False)))
    with pytest.raises(AssertionError, match="cropped by the padding at the bottom and right only"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: stamp_2d(x, w, s, p, crop=(False, True)))
    with pytest.raises(AssertionError, match="the output is not cropped"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: convtranspose.conv_transpose2d_minimal(x, w, s, 0))
    with pytest.raises(AssertionError, match="the kernel is flipped the wrong way"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: stamp_2d(x, w.flip(2, 3), s, p))
    with pytest.raises(AssertionError, match="the kernel is flipped the wrong way"):  # slid like a convolution, unflipped
        checks.check_conv_transpose2d_minimal(
            lambda x, w, s=1, p=0: convtranspose.conv_transpose2d_via_conv(x, w.flip(2, 3), s, p))
    with pytest.raises(AssertionError, match="the stamps were placed at \\(row, col\\)"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: stamp_2d(x, w, s, p, spread=False))
    with pytest.raises(AssertionError, match="each stamp replaced the ones before it"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: stamp_2d(x, w, s, p, assign=True))
    with pytest.raises(AssertionError, match="this is a plain convolution"):
        checks.check_conv_transpose2d_minimal(lambda x, w, s=1, p=0: F.conv2d(x, w.transpose(0, 1), stride=s, padding=p))


# --- the random comparison of the fast version -------------------------------------------------------


def test_random_comparison_rejects_an_implementation_that_ignores_an_argument():
    def ignores_output_padding(x, weight, bias, stride, padding, output_padding, groups, dilation):
        return convtranspose.conv_transpose2d(x, weight, bias, stride, padding, 0, groups, dilation)

    with pytest.raises(AssertionError, match="shape"):
        checks.compare_conv_transpose2d(ignores_output_padding, configurations=50)
