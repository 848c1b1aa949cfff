"""`python -m vaegan`, run as a learner runs it."""

import json
import os
import subprocess
import sys

import pytest

from vaegan.registry import load_checkpoint
from vaegan.cli import parse_overrides
from vaegan.recipes import recipe


def run(*arguments, cwd):
    environment = {**os.environ, "WANDB_MODE": "offline"}
    return subprocess.run(
        [sys.executable, "-m", "vaegan", *arguments], capture_output=True, text=True, cwd=cwd, env=environment, timeout=300
    )


def test_train_writes_checkpoint_and_metrics(tmp_path, data_root):
    result = run(
        "train", "vae", "--profile", "smoke", "--set", "beta_kl=0.5", "--save-as", "vae_half",
        "--out", str(tmp_path / "out"), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    printed = json.loads(result.stdout)
    model, record = load_checkpoint(tmp_path / "out" / "vae_half")
    assert record["metrics"]["reconstruction_mse"] == printed["reconstruction_mse"]
    assert record["args"]["train_limit"] == 4096 and type(model).__name__ == "VAE"
    assert record["args"]["beta_kl"] == 0.5


def test_train_a_gan_writes_generator_metrics_and_timeline(tmp_path, data_root):
    from vaegan.core.checkpoints import load_timeline

    out = tmp_path / "out"
    result = run("train", "mlp_gan", "--profile", "smoke", "--timeline", "4", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = json.loads(result.stdout)
    assert {"confident_share", "class_coverage", "frechet_distance", "seconds_per_1000"} <= set(printed)
    model, record = load_checkpoint(out / "mlp_gan")
    assert type(model).__name__ == "MLPGenerator" and record["metrics"]["frechet_distance"] == printed["frechet_distance"]
    assert record["command"] == f"python -m vaegan train mlp_gan --profile smoke --timeline 4 --out {out}"
    timeline = load_timeline(out / "mlp_gan")
    assert timeline["samples"].shape[1:] == (4, 1, 28, 28) and len(timeline["history"]) == record["steps"]


def test_set_converts_values_to_the_field_types():
    args = recipe("vae", "smoke")
    overrides = parse_overrides(args, ["beta_kl=4", "channels=8,16", "train_limit=100", "binarize=false", "dataset=mnist"])
    assert overrides == {"beta_kl": 4.0, "channels": (8, 16), "train_limit": 100, "binarize": False, "dataset": "mnist"}
    assert type(overrides["beta_kl"]) is float and type(overrides["channels"][0]) is int
    assert parse_overrides(args, ["epochs=3"]) == {"epochs": 3}
    for bad, message in [
        ("beta_kl", "FIELD=VALUE"),
        ("betakl=1", "no such field"),
        ("epochs=two", "not a valid int"),
        ("binarize=maybe", "use true or false"),
    ]:
        with pytest.raises(SystemExit, match=message):
            parse_overrides(args, [bad])


def test_list_and_bad_arguments(tmp_path, capsys):
    # one real subprocess for `list`; the refusals run in-process (each subprocess costs a torch import)
    listed = run("list", cwd=tmp_path)
    assert listed.returncode == 0 and {"autoencoder", "vae", "celeba_vae", "classifier", "dcgan_mnist"} <= set(listed.stdout.split())
    from vaegan.cli import main

    for arguments, message in [
        (["train", "gan"], "unknown run 'gan'"),
        (["train", "vae", "--epochs", "0"], "--epochs must be at least 1"),
        (["train", "vae", "--set", "beta=1"], "VAEArgs has no such field"),
        (["train", "vae", "--set", "beta_kl=-1"], "beta_kl must be >= 0"),
        (["train", "vae", "--save-as", "../elsewhere"], "--save-as takes a plain file name"),
        (["train", "wgan_gp_mnist", "--set", "norm=batch"], "must not use batch norm"),
        (["train", "vae", "--timeline", "4"], "--timeline and --discriminator are for GANs"),
        (["train", "pixelcnn", "--discriminator"], "--timeline and --discriminator are for GANs"),
        (["train", "dcgan_mnist", "--samples", "10"], "--samples is for autoregressive models"),
        (["train", "pixelcnn", "--samples", "-1"], "--samples must be >= 0"),
    ]:
        with pytest.raises(SystemExit) as refused:
            main([*arguments, "--out", str(tmp_path / "never")])
        assert message in str(refused.value), (arguments, refused.value)
    assert not (tmp_path / "never").exists()  # refused before any training
    with pytest.raises(SystemExit):
        main(["train", "vae", "--profile", "huge"])
    assert "invalid choice" in capsys.readouterr().err


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
