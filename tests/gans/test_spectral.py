"""vaegan.gans.spectral: the power iteration is PyTorch's, and it converges to the largest singular value."""

import pytest
import torch
from torch import nn

from vaegan.gans.spectral import largest_singular_value, weight_matrix


def test_weight_matrix_reads_kernels_as_torch_does():
    kernel = torch.randn(6, 3, 4, 4)
    assert weight_matrix(kernel).shape == (6, 48)
    torch.testing.assert_close(weight_matrix(kernel), kernel.reshape(6, -1))
    torch.testing.assert_close(weight_matrix(kernel, dim=1), kernel.transpose(0, 1).reshape(3, -1))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        weight_matrix(torch.randn(5))


@pytest.mark.parametrize("layer", [nn.Linear(7, 5), nn.Conv2d(3, 6, 4), nn.ConvTranspose2d(4, 2, 3)])
def test_one_iteration_from_torchs_stored_vector_gives_torchs_sigma(layer):
    torch.manual_seed(0)
    layer = nn.utils.parametrizations.spectral_norm(layer)
    dim = 1 if isinstance(layer, nn.ConvTranspose2d) else 0
    raw = layer.parametrizations.weight.original.detach().clone()
    start = layer.parametrizations.weight[0]._v.clone()
    sigma, u, v = largest_singular_value(raw, 1, start, dim=dim)
    layer.train()
    with torch.no_grad():
        normalised = layer.weight  # a training-mode access runs one power iteration, then divides by sigma
    torch.testing.assert_close(normalised, raw / sigma)
    torch.testing.assert_close(u, layer.parametrizations.weight[0]._u)
    torch.testing.assert_close(v, layer.parametrizations.weight[0]._v)


def test_the_estimate_rises_to_the_largest_singular_value():
    generator = torch.Generator().manual_seed(1)
    weight = torch.randn(8, 3, 3, 3, dtype=torch.float64, generator=generator)
    start = torch.nn.functional.normalize(torch.randn(27, dtype=torch.float64, generator=generator), dim=0)
    exact = torch.linalg.matrix_norm(weight.flatten(1), ord=2)
    estimates = [largest_singular_value(weight, n, start)[0] for n in (1, 2, 5, 200)]
    assert all(estimate <= exact + 1e-12 for estimate in estimates)
    assert estimates[0] < estimates[-1]
    torch.testing.assert_close(estimates[-1], exact)
    sigma, u, v = largest_singular_value(weight, 200, start)
    assert u.norm().item() == pytest.approx(1.0) and v.norm().item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="start vector"):
        largest_singular_value(weight, 1, start[:5])
    with pytest.raises(ValueError, match="at least 1"):
        largest_singular_value(weight, 0, start)
