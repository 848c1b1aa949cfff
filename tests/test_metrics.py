"""The classifier judge and its three metrics."""

import pytest
import torch

from vaegan import data, metrics
from vaegan.checkpoints import read_metadata
from vaegan.classifier import WEIGHTS, accuracy, load_classifier


def test_committed_classifier_is_small_and_above_99_percent(data_root):
    assert WEIGHTS.with_suffix(".pt").stat().st_size < 300_000
    measured = accuracy(load_classifier(), data.mnist(train=False, root=data_root))
    assert measured >= 0.99
    recorded = read_metadata(WEIGHTS)["metrics"]
    assert recorded["test_accuracy"] == pytest.approx(measured, abs=1e-4)
    assert recorded["confident_on_uniform_noise"] < 0.01 and recorded["confident_on_non_digits"] < 0.05


def test_real_digits_score_high_and_noise_scores_low(data_root):
    test = data.mnist(train=False, root=data_root, limit=1000)
    assert metrics.confident_share(test.images) > 0.9
    assert metrics.class_coverage(test.images) == 10
    # a judge must not call non-digits confident digits (outlier exposure in training)
    generator = torch.Generator().manual_seed(0)
    assert metrics.confident_share(torch.rand(500, 1, 28, 28, generator=generator)) < 0.02
    blur = torch.nn.functional.avg_pool2d(test.images[:500], 5, stride=1, padding=2)
    overlaid = torch.maximum(test.images[:500], test.images[500:1000])
    assert metrics.confident_share(overlaid) < metrics.confident_share(test.images[:500]) - 0.3
    assert 0 <= metrics.confident_share(blur) <= 1
    ones = test.images[test.labels == 1]
    histogram = metrics.class_histogram(ones)
    assert histogram[1] >= 0.95 * len(ones) and metrics.class_coverage(ones) == 1


def test_frechet_distance_closed_form_and_real_halves(data_root):
    mean_a, mean_b = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, 0.0])
    var_a, var_b = torch.tensor([1.0, 4.0, 0.25]), torch.tensor([4.0, 1.0, 1.0])
    expected = (mean_a - mean_b).square().sum() + (var_a + var_b - 2 * (var_a * var_b).sqrt()).sum()
    got = metrics.gaussian_frechet_distance(mean_a, torch.diag(var_a), mean_b, torch.diag(var_b))
    assert got == pytest.approx(expected.item(), rel=1e-9)
    rotation = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(0)))[0]
    cov = rotation @ torch.diag(var_a) @ rotation.T
    assert metrics.gaussian_frechet_distance(mean_a, cov, mean_a, cov) == pytest.approx(0.0, abs=1e-9)
    test = data.mnist(train=False, root=data_root).images
    halves = metrics.frechet_distance(test[:5000], test[5000:])
    against_noise = metrics.frechet_distance(test[:2000], torch.rand(2000, 1, 28, 28))
    assert halves < 0.05 * against_noise


def test_metrics_refuse_wrong_shapes_and_scales():
    with pytest.raises(ValueError, match=r"MNIST-shaped images \(n, 1, 28, 28\)"):
        metrics.confident_share(torch.rand(4, 3, 64, 64))
    with pytest.raises(ValueError, match="to_unit"):
        metrics.confident_share(torch.rand(4, 1, 28, 28) * 3)
    with pytest.raises(ValueError, match="threshold"):
        metrics.confident_share(torch.rand(4, 1, 28, 28), threshold=1.5)
    with pytest.raises(ValueError, match="at least two"):
        metrics.frechet_distance(torch.rand(1, 1, 28, 28), torch.rand(4, 1, 28, 28))
