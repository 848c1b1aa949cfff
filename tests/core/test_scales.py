"""vaegan.core.scales: every scale round-trips to [0, 1] pixels."""

import pytest
import torch

from vaegan.core import data, scales


def test_scales(data_root):
    symmetric = data.mnist(train=False, limit=2000, scale="symmetric").images
    assert symmetric.min() == -1.0 and symmetric.max() == 1.0
    standard = data.mnist(train=False, scale="standard").images
    assert abs(standard.mean().item()) < 0.05 and abs(standard.std().item() - 1.0) < 0.05
    with pytest.raises(ValueError, match="unknown scale"):
        data.mnist(train=False, scale="zscore")


def test_to_unit_inverts_every_scale(data_root):
    raw = data.mnist(train=False, root=data_root, limit=50, scale="unit").images
    for scale in ("unit", "symmetric", "standard"):
        scaled = data.mnist(train=False, root=data_root, limit=50, scale=scale).images
        torch.testing.assert_close(scales.to_unit(scaled, scale), raw, atol=1e-6, rtol=0)
        assert scales.pixel_units(scale) * (1 / 255) == pytest.approx((scaled.unique()[1] - scaled.unique()[0]).item(), rel=1e-4)
    with pytest.raises(ValueError, match="unknown scale"):
        scales.to_unit(raw, "log")


def test_from_unit_gives_what_loading_in_that_scale_gives(data_root):
    raw = data.mnist(train=False, root=data_root, limit=50, scale="unit").images
    for scale in ("unit", "symmetric", "standard"):
        scaled = data.mnist(train=False, root=data_root, limit=50, scale=scale).images
        torch.testing.assert_close(scales.from_unit(raw, scale), scaled, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="unknown scale"):
        scales.from_unit(raw, "logits")
