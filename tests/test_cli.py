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
    # the record says what trained it and keeps every step's losses
    assert record["hardware"]["device"] == "cpu" and record["hardware"]["torch_threads"] >= 1
    curve = record["training_curve"]
    assert len(curve["step"]) == record["steps"] and set(curve) == {"step", "d_loss", "g_loss"}


def test_resume_continues_a_stopped_run_to_the_same_result(tmp_path, data_root, capsys):
    import torch

    from vaegan.autoencoders.train import AutoencoderTrainer
    from vaegan.cli import main

    common = ["train", "autoencoder", "--profile", "smoke", "--set", "train_limit=512", "--resume", str(tmp_path / "run.state")]
    assert main([*common, "--epochs", "1", "--out", str(tmp_path / "first")]) == 0
    assert (tmp_path / "run.state").exists()
    capsys.readouterr()
    assert main([*common, "--epochs", "2", "--out", str(tmp_path / "resumed")]) == 0
    printed = capsys.readouterr().err
    assert "resuming from" in printed and "1 of 2 epochs done" in printed
    resumed, record = load_checkpoint(tmp_path / "resumed" / "autoencoder")
    straight = AutoencoderTrainer(recipe("autoencoder", "smoke", train_limit=512, epochs=2, progress=False))
    straight_model = straight.train()
    assert record["steps"] == straight.step == 2 * load_checkpoint(tmp_path / "first" / "autoencoder")[1]["steps"]
    assert all(torch.equal(a, b) for a, b in zip(resumed.state_dict().values(), straight_model.state_dict().values()))
    assert record["training_curve"]["loss"] == [float(f"{row['loss']:.4g}") for row in straight.history]


def test_run_args_is_the_command_lines_arguments():
    from vaegan.cli import args_from_command, run_args

    args = run_args("dcgan_mnist", "full", epochs=3, seed=2, assignments=["lr_schedule=constant"])
    assert args == recipe("dcgan_mnist", "full", epochs=3, seed=2, lr_schedule="constant")
    command = "python -m vaegan train dcgan_mnist --epochs 3 --seed 2 --set lr_schedule=constant"
    assert args_from_command(command) == args
    with pytest.raises(ValueError, match="unknown run 'dcgan'; choose one of .*dcgan_mnist"):
        run_args("dcgan")
    with pytest.raises(ValueError, match="extra_layers must be an int >= 0"):
        run_args("dcgan_mnist", assignments=["extra_layers=-1"])
    with pytest.raises(ValueError, match="--set extra_layer: GANArgs has no such field"):
        run_args("dcgan_mnist", assignments=["extra_layer=1"])
