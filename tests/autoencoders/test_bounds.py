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
    assert table["subset_images"] == table["test_images"] == 10_000  # the committed table: every k, every digit
    assert table["prefixes"]["10000"]["iwae_5000"]["mean"] == subset["iwae_5000"]["mean"]
    assert table["prefixes"]["1000"]["iwae_5000"]["mean"] > subset["iwae_5000"]["mean"]  # the first digits are easier


def _stop_after(monkeypatch, calls: int):
    """Make the importance-weighted bound raise KeyboardInterrupt (a Ctrl-C) on its call number ``calls``."""
    from vaegan.autoencoders import elbo

    real, count = elbo.iwae_bound, {"n": 0}

    def interrupted(*args, **kwargs):
        count["n"] += 1
        if count["n"] == calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(elbo, "iwae_bound", interrupted)
    return lambda: monkeypatch.setattr(elbo, "iwae_bound", real)


def test_a_stopped_run_continues_from_its_saved_progress_to_the_same_numbers(data_root, tmp_path, monkeypatch):
    model, _ = load_pretrained("bernoulli_vae")
    images = data.binarized_mnist(train=False, limit=120).images
    settings = dict(ks=(1, 10), seed=3, batch_size=40)
    whole = evaluate_bounds(model, images, **settings)
    progress = tmp_path / "progress.pt"
    restore = _stop_after(monkeypatch, calls=5)  # two k per batch: batches 1 and 2 done, Ctrl-C in the third
    with pytest.raises(KeyboardInterrupt):
        evaluate_bounds(model, images, **settings, resume=progress)
    restore()
    import torch

    saved = torch.load(progress, weights_only=True)
    assert saved["batches"] == 2 and len(saved["results"]["iwae_10"]) == 80
    resumed = evaluate_bounds(model, images, **settings, resume=progress)
    for name in ("elbo", "reconstruction", "kl", "iwae_1", "iwae_10"):
        assert torch.equal(resumed[name], whole[name]), name
    assert not list(tmp_path.glob(".*partial"))  # no half-written file left beside it


def test_saved_progress_of_another_run_or_a_broken_file_is_refused_with_the_fix(data_root, tmp_path):
    model, _ = load_pretrained("bernoulli_vae")
    images = data.binarized_mnist(train=False, limit=40).images
    progress = tmp_path / "progress.pt"
    evaluate_bounds(model, images, ks=(1,), batch_size=40, resume=progress)
    with pytest.raises(ValueError, match="progress of another run.*delete it"):
        evaluate_bounds(model, images, ks=(1,), seed=1, batch_size=40, resume=progress)  # another seed
    with pytest.raises(ValueError, match="progress of another run"):
        evaluate_bounds(model, 1 - images, ks=(1,), batch_size=40, resume=progress)  # other images
    progress.write_bytes(progress.read_bytes()[:100])  # truncated, as by a full disk
    with pytest.raises(ValueError, match="not a bounds run's saved progress.*delete it"):
        evaluate_bounds(model, images, ks=(1,), batch_size=40, resume=progress)


def test_the_bounds_command_stopped_by_ctrl_c_says_so_and_the_same_command_finishes(data_root, tmp_path, monkeypatch, capsys):
    import shutil

    from vaegan import cli

    for folder in ("stopped", "straight"):
        (tmp_path / folder).mkdir()
        for suffix in (".pt", ".json"):
            shutil.copy(PRETRAINED / f"bernoulli_vae{suffix}", tmp_path / folder / f"bernoulli_vae{suffix}")
    command = ["bounds", "bernoulli_vae", "--test-limit", "100", "--subset", "50", "--small-ks", "1", "--large-ks", "10"]
    assert cli.main([*command, "--weights", str(tmp_path / "straight")]) == 0
    restore = _stop_after(monkeypatch, calls=2)  # in the second pass (the large k), before its first batch is saved
    assert cli.main([*command, "--weights", str(tmp_path / "stopped")]) == 130
    restore()
    progress = tmp_path / "stopped" / ".bernoulli_vae_bounds.progress"
    said = capsys.readouterr().err
    assert f"the progress so far is in {progress}, and the same command continues from it" in said
    assert (progress / "all_images.pt").exists() and not (tmp_path / "stopped" / "bernoulli_vae_bounds.json").exists()
    assert cli.main([*command, "--weights", str(tmp_path / "stopped")]) == 0
    assert not progress.exists()  # removed once the table is written
    tables = [json.loads((tmp_path / folder / "bernoulli_vae_bounds.json").read_text()) for folder in ("stopped", "straight")]
    assert tables[0]["all"] == tables[1]["all"] and tables[0]["subset"] == tables[1]["subset"]
