"""vaegan.autoencoders.bounds: the committed bounds table is ordered and reproducible."""

import json

import pytest

from vaegan.autoencoders.bounds import summarise
from vaegan.autoencoders.elbo import evaluate_bounds
from vaegan.core import data
from vaegan.core.checkpoints import PRETRAINED
from vaegan.registry import load_pretrained


def test_committed_bernoulli_vae_bounds_are_ordered_and_reproduce_the_table(data_root):
    """A prefix of the test set, re-scored: the same numbers as the committed table."""
    model, metadata = load_pretrained("bernoulli_vae")
    assert metadata["args"]["likelihood"] == "bernoulli" and metadata["args"]["binarize"]
    table = json.loads((PRETRAINED / "bernoulli_vae_bounds.json").read_text())
    test = data.binarized_mnist(train=False, limit=100)  # one whole batch: the same draws as the table's
    results = evaluate_bounds(model, test.images, ks=(1, 10, 100), seed=table["seed"], batch_size=table["batch_size"])
    fresh, committed = summarise(results), table["prefixes"]["100"]
    for name in ("elbo", "kl", "iwae_1", "iwae_10", "iwae_100"):
        assert fresh[name]["mean"] == pytest.approx(committed[name]["mean"], abs=0.01), name
    assert fresh["elbo"]["mean"] < fresh["iwae_10"]["mean"] < fresh["iwae_100"]["mean"]
    # the table itself: bounds tighten with k on the subset, and the subset matches its own prefix
    subset = table["subset"]
    means = [subset[f"iwae_{k}"]["mean"] for k in (1, 10, 100, 1000, 5000)]
    assert means == sorted(means)
    assert table["prefixes"]["1000"]["iwae_5000"]["mean"] == subset["iwae_5000"]["mean"]
