"""`python -m vaegan`, run as a learner runs it."""

import json
import os
import subprocess
import sys

from vaegan.checkpoints import load_checkpoint


def run(*arguments, cwd):
    environment = {**os.environ, "WANDB_MODE": "offline"}
    return subprocess.run(
        [sys.executable, "-m", "vaegan", *arguments], capture_output=True, text=True, cwd=cwd, env=environment, timeout=300
    )


def test_train_writes_checkpoint_and_metrics(tmp_path, data_root):
    result = run("train", "vae", "--profile", "smoke", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = json.loads(result.stdout)
    model, record = load_checkpoint(tmp_path / "out" / "vae")
    assert record["metrics"]["reconstruction_mse"] == printed["reconstruction_mse"]
    assert record["args"]["train_limit"] == 4096 and type(model).__name__ == "VAE"


def test_list_and_bad_arguments(tmp_path):
    listed = run("list", cwd=tmp_path)
    assert listed.returncode == 0 and {"autoencoder", "vae", "celeba_vae", "classifier"} <= set(listed.stdout.split())
    unknown = run("train", "gan", cwd=tmp_path)
    assert unknown.returncode != 0 and "unknown run 'gan'" in unknown.stderr
    epochs = run("train", "vae", "--epochs", "0", cwd=tmp_path)
    assert epochs.returncode != 0 and "--epochs must be at least 1" in epochs.stderr
    profile = run("train", "vae", "--profile", "huge", cwd=tmp_path)
    assert profile.returncode != 0 and "invalid choice" in profile.stderr


def test_bounds_writes_the_evaluation_table(tmp_path, data_root):
    out = tmp_path / "bounds.json"
    result = run(
        "bounds", "--test-limit", "20", "--subset", "10", "--small-ks", "1", "3", "--large-ks", "30",
        "--out", str(out), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = json.loads(out.read_text())
    assert table["test_images"] == 20 and table["subset_images"] == 10
    assert set(table["subset"]) == {"elbo", "reconstruction", "kl", "iwae_1", "iwae_3", "iwae_30"}
    assert table["subset"]["iwae_30"]["mean"] > table["subset"]["elbo"]["mean"]
    assert "negative ELBO" in result.stdout and "nats" in result.stdout


def test_bounds_refuses_models_without_a_bernoulli_decoder(tmp_path):
    result = run("bounds", "celeba_vae", cwd=tmp_path)
    assert result.returncode != 0 and "need a Bernoulli decoder" in result.stderr
    result = run("bounds", "--subset", "0", cwd=tmp_path)
    assert result.returncode != 0 and "--subset must be at least 1" in result.stderr
