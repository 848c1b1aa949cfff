"""The offline sweep: one wandb run per grid point, in one group, with the images, gradients and
measurements logged; read back from the run files as a learner's later `wandb sync` would send them."""

import pytest
import torch

from vaegan.autoencoders.train import AutoencoderArgs, AutoencoderTrainer
from vaegan.core.data import ImageTensors
from vaegan.core.sweep import grid, grid_sweep, sweep_config
from vaegan.core.wandb_offline import offline_records, read_offline_runs


def test_grid_and_its_wandb_form():
    assert grid({"lr": [1, 2], "beta": [3]}) == [{"lr": 1, "beta": 3}, {"lr": 2, "beta": 3}]
    config = sweep_config({"lr": [1, 2]}, metric="loss")
    assert config == {"method": "grid", "metric": {"name": "loss", "goal": "minimize"}, "parameters": {"lr": {"values": [1, 2]}}}
    with pytest.raises(ValueError, match="non-empty list"):
        grid({"lr": []})
    with pytest.raises(ValueError, match="goal"):
        sweep_config({"lr": [1]}, metric="loss", goal="lower")


class TinyTrainer(AutoencoderTrainer):
    """The autoencoder trainer on 64 random images (no data files), so the test takes a second."""

    def __init__(self, args):
        images = torch.randn(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
        super().__init__(args, trainset=ImageTensors(images, torch.zeros(64, dtype=torch.long), "standard"), holdout=images[:10])


def test_offline_sweep_logs_every_run_and_can_be_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    args = AutoencoderArgs(hidden_size=16, epochs=1, batch_size=16, log_every=2, progress=False, device="cpu",
                           wandb_dir=str(tmp_path), wandb_watch=2)
    rows = grid_sweep(args, {"lr": [1e-3, 1e-2]}, TinyTrainer, group="lr-test",
                      measure=lambda model: {"weight_norm": sum(p.norm().item() for p in model.parameters())})
    assert [row["lr"] for row in rows] == [1e-3, 1e-2]
    runs = read_offline_runs(tmp_path)
    assert len(runs) == 2
    for run, row in zip(runs, rows):
        assert run["group"] == "lr-test" and run["name"] == f"lr-test: lr={row['lr']}"
        assert {"loss", "reconstructions", "gradients"} <= set(run["logged"]), run["logged"]
        assert run["images"] and all(path.stat().st_size > 0 for path in run["images"])  # the logged image grids
        assert run["summary"]["weight_norm"] == pytest.approx(row["weight_norm"])  # the measurement reached the run
        assert run["summary"]["loss"] == pytest.approx(row["loss"])


def test_sweep_refuses_a_field_the_arguments_lack():
    with pytest.raises(ValueError, match="has no field learning_rate"):
        grid_sweep(AutoencoderArgs(), {"learning_rate": [1e-3]}, TinyTrainer, group="g")


def test_reader_refuses_a_file_that_is_not_a_wandb_run(tmp_path):
    path = tmp_path / "run-x.wandb"
    path.write_bytes(b"not a run")
    with pytest.raises(ValueError, match="not a wandb run file"):
        list(offline_records(path))
