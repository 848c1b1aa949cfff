"""vaegan.judge.training: the committed classifier is small, accurate and not fooled by noise."""

import pytest

from vaegan.core import data
from vaegan.core.checkpoints import read_metadata
from vaegan.judge.classifier import WEIGHTS, load_classifier
from vaegan.judge.training import accuracy


def test_committed_classifier_is_small_and_above_99_percent(data_root):
    assert WEIGHTS.with_suffix(".pt").stat().st_size < 300_000
    measured = accuracy(load_classifier(), data.mnist(train=False, root=data_root))
    assert measured >= 0.99
    recorded = read_metadata(WEIGHTS)["metrics"]
    assert recorded["test_accuracy"] == pytest.approx(measured, abs=1e-4)
    assert recorded["confident_on_uniform_noise"] < 0.01 and recorded["confident_on_non_digits"] < 0.05
