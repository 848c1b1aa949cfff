"""vaegan.judge.metrics: the classifier's verdict on real digits, noise and repeated digits."""

import pytest
import torch

from vaegan.core import data
from vaegan.judge import metrics


@pytest.fixture(scope="module")
def digits(data_root):
    from vaegan.core import data

    return data.mnist(train=True, scale="symmetric", limit=256)


def test_effective_classes_of_real_and_of_repeated_digits(data_root):
    from vaegan.core import data

    digits = data.mnist(train=False, limit=1000)
    assert metrics.effective_classes(digits.images) > 9.5
    one = digits.images[digits.labels == 3][:1].expand(200, -1, -1, -1)
    assert metrics.effective_classes(one) == pytest.approx(1.0)
    two = torch.cat([one[:100], digits.images[digits.labels == 7][:1].expand(100, -1, -1, -1)])
    assert metrics.effective_classes(two) == pytest.approx(2.0)


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


def test_metrics_refuse_non_finite_images():
    images = torch.rand(10, 1, 28, 28)
    images[3, 0, 5, 5] = float("nan")
    for measure in (metrics.confident_share, metrics.class_coverage, metrics.frechet_distance_to_mnist_test):
        with pytest.raises(ValueError, match="1 of 10 images contain NaN or infinite pixels"):
            measure(images)
