"""vaegan.judge.inception_fid: skipped cleanly offline, never hanging."""

import time

import pytest
import torch

from vaegan.judge.inception_fid import inception_fid


def test_inception_fid_is_skipped_cleanly_offline():
    images = torch.rand(4, 1, 28, 28)
    started = time.perf_counter()
    value, reason = inception_fid(images, images)
    assert time.perf_counter() - started < 10  # never hangs on a missing network
    assert value is None and reason.startswith("skipped:") and ("install" in reason or "offline" in reason)
    with pytest.raises(ValueError, match=r"\(n, 1 or 3, h, w\)"):
        from vaegan.judge.inception_fid import _three_channels

        _three_channels(torch.rand(2, 2, 8, 8))
