"""vaegan.gans.walks: the great circle between two codes."""

import pytest
import torch

from vaegan.gans.walks import slerp


def test_slerp_ends_at_both_codes_and_keeps_the_norm():
    generator = torch.Generator().manual_seed(0)
    start, end = torch.randn(100, generator=generator), torch.randn(100, generator=generator)
    end = end * start.norm() / end.norm()  # equal norms: the great circle keeps them all along
    path = slerp(start, end, 9)
    assert path.shape == (9, 100)
    torch.testing.assert_close(path[0], start)
    torch.testing.assert_close(path[-1], end)
    torch.testing.assert_close(path.norm(dim=1), torch.full((9,), start.norm().item()))
    assert ((start + end) / 2).norm() < 0.8 * start.norm()  # the straight line's midpoint is much shorter
    torch.testing.assert_close(slerp(start, start, 3), start.expand(3, -1))  # same direction: no division by zero
    with pytest.raises(ValueError, match="steps must be at least 2"):
        slerp(start, end, 1)
    with pytest.raises(ValueError, match="two vectors of one shape"):
        slerp(start, end[:5], 4)
