"""vaegan.pages.exercises: the checkers accept the package's solutions and reject the usual mistakes."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.convtranspose import operations as convtranspose
from vaegan.pages import exercises as checks


def test_checkers_accept_the_reference_solutions():
    assert checks.check_conv_transpose1d_minimal(convtranspose.conv_transpose1d_minimal)
    assert checks.check_conv_transpose2d_minimal(convtranspose.conv_transpose2d_minimal)
    assert checks.check_output_size(convtranspose.conv_transpose_output_size)


def test_checkers_report_not_attempted_without_failing(capsys):
    assert checks.check_conv_transpose1d_minimal(lambda x, w: None) is False
    assert "not attempted" in capsys.readouterr().out


def test_checkers_reject_common_mistakes():
    def forgot_to_crop(x, weight, stride=1, padding=0):
        return convtranspose.conv_transpose2d_minimal(x, weight, stride, 0)

    def off_by_one_size(size, kernel, stride, padding, output_padding, dilation):
        return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding

    def plain_convolution(x, weight):  # sliding inside the input: the classic confusion
        return F.conv1d(x[None], weight.transpose(0, 1), padding=weight.shape[-1] - 1)[0] * 0.5

    with pytest.raises(AssertionError, match="shape"):
        checks.check_conv_transpose2d_minimal(forgot_to_crop)
    with pytest.raises(AssertionError, match="output size"):
        checks.check_output_size(off_by_one_size)
    with pytest.raises(AssertionError):
        checks.check_conv_transpose1d_minimal(plain_convolution)


def test_random_comparison_rejects_an_implementation_that_ignores_an_argument():
    def ignores_output_padding(x, weight, bias, stride, padding, output_padding, groups, dilation):
        return convtranspose.conv_transpose2d(x, weight, bias, stride, padding, 0, groups, dilation)

    with pytest.raises(AssertionError, match="shape"):
        checks.compare_conv_transpose2d(ignores_output_padding, configurations=50)


def test_autoregressive_checkers_accept_solutions_and_reject_mistakes(capsys):
    def causal_mask(kernel_size, mask_type):
        centre = kernel_size // 2
        mask = torch.ones(kernel_size, kernel_size)
        mask[centre, centre + (mask_type == "B"):] = 0
        mask[centre + 1:] = 0
        return mask

    def mask_that_sees_itself(kernel_size, mask_type):  # type A must hide the centre
        return causal_mask(kernel_size, "B")

    def sequence_nll(logits, pixels):
        return F.binary_cross_entropy_with_logits(logits, pixels, reduction="none").sum(1)

    def mean_not_sum(logits, pixels):  # nats per pixel, not per image
        return F.binary_cross_entropy_with_logits(logits, pixels, reduction="none").mean(1)

    assert checks.check_causal_mask(causal_mask) and checks.check_sequence_nll(sequence_nll)
    assert checks.check_causal_mask(lambda k, t: None) is False
    assert "not attempted" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"causal_mask\(1, 'A'\) is wrong"):
        checks.check_causal_mask(mask_that_sees_itself)
    with pytest.raises(AssertionError, match="differ"):
        checks.check_sequence_nll(mean_not_sum)
    with pytest.raises(AssertionError, match=r"expected \(16,\)"):
        checks.check_sequence_nll(lambda logits, pixels: sequence_nll(logits, pixels).sum())
