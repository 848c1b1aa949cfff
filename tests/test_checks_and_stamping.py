import pytest
import torch
import torch.nn.functional as F

from vaegan import checks, convtranspose, stamping


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


def test_stamp_replay_ends_in_the_transposed_convolution():
    torch.manual_seed(0)
    x, kernel = torch.randn(3, 4), torch.randn(3, 2)
    for stride in (1, 2, 3):
        steps = stamping.stamp_steps(x, kernel, stride)
        assert len(steps) == 12
        expected = F.conv_transpose2d(x[None, None], kernel[None, None], stride=stride)[0, 0]
        torch.testing.assert_close(steps[-1].running_sum, expected)
        # each step adds exactly its own stamp
        for before, after in zip(steps, steps[1:]):
            assert torch.isclose((after.running_sum - before.running_sum).sum(), after.stamp.sum(), atol=1e-5)


def test_stamp_figure_draws_every_step_and_the_result():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, kernel = torch.ones(2, 2), torch.ones(3, 3)
    steps = stamping.stamp_steps(x, kernel, 2)
    for index in range(len(steps) + 1):
        figure = stamping.draw_stamp_step(x, kernel, steps, index, padding=1, dpi=30)
        assert len(figure.axes) == 4
        plt.close(figure)
    with pytest.raises(ValueError, match="2D"):
        stamping.stamp_steps(torch.ones(1, 2, 2), kernel)


def test_random_comparison_rejects_an_implementation_that_ignores_an_argument():
    def ignores_output_padding(x, weight, bias, stride, padding, output_padding, groups, dilation):
        return convtranspose.conv_transpose2d(x, weight, bias, stride, padding, 0, groups, dilation)

    with pytest.raises(AssertionError, match="shape"):
        checks.compare_conv_transpose2d(ignores_output_padding, configurations=50)
