"""vaegan.judge.sampling: one verdict for any generative model's samples."""

import time

import pytest
import torch

from vaegan.gans.models import DCGANGenerator, MLPGenerator
from vaegan.gans.walks import walk
from vaegan.judge.sampling import evaluate_generator, timed_draw


def test_generate_is_reproducible_in_unit_range_and_restores_the_mode():
    torch.manual_seed(0)
    generator = DCGANGenerator(16, (8, 16), (1, 28, 28))
    generator.train()
    first, again = generator.sample_images(10, seed=3), generator.sample_images(10, seed=3)
    assert first.shape == (10, 1, 28, 28) and torch.equal(first, again)
    assert 0 <= first.min() and first.max() <= 1 and generator.training
    assert not torch.equal(first, generator.sample_images(10, seed=4))
    codes = torch.randn(4, 16)
    path = walk(generator, codes[0], codes[1], steps=5)
    assert path.shape == (5, 1, 28, 28)
    torch.testing.assert_close(path[0], generator.decode_images(codes[:1])[0])
    with pytest.raises(ValueError, match=r"latents of shape \(batch, 16\)"):
        generator.decode_images(torch.randn(2, 15))
    with pytest.raises(ValueError, match="count must be at least 1"):
        generator.sample_images(0)


@pytest.fixture(scope="module")
def digits(data_root):
    from vaegan.core import data

    return data.mnist(train=True, scale="symmetric", limit=256)


def test_evaluate_generator_scores_mnist_and_times_faces(data_root):
    report = evaluate_generator(MLPGenerator(), samples=200)
    assert {"confident_share", "class_coverage", "class_histogram", "frechet_distance", "seconds_per_1000"} <= set(report)
    assert report["frechet_distance"] > 100 and report["seconds_per_1000"] > 0  # an untrained generator is far from digits
    faces = evaluate_generator(DCGANGenerator(16, (8, 16, 32), (3, 64, 64)), samples=20)
    assert set(faces) == {"samples", "seconds_per_1000"}


def test_timed_draw_returns_the_draw_and_scales_its_time_to_a_thousand():
    images = torch.zeros(10, 1, 28, 28)

    def draw():
        time.sleep(0.01)  # at least 0.01 s for 10 images: at least 1 s per 1,000
        return images

    drawn, seconds = timed_draw(draw)
    assert drawn is images
    assert seconds >= 1.0
