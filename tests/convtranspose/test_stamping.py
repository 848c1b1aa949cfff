"""vaegan.convtranspose.stamping: the stamping picture replays the operation."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.convtranspose import stamping


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
