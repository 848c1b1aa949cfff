"""vaegan.autoregressive.train: the trainer learns, records nats and round-trips."""

import pytest
import torch

from vaegan.autoregressive.models import PixelCNN, log_likelihood
from vaegan.autoregressive.train import ARArgs, ARTrainer
from vaegan.core import data, scales
from vaegan.core.checkpoints import load_samples
from vaegan.registry import load_checkpoint


def test_bad_autoregressive_arguments():
    for kwargs, message in [
        ({"model": "transformer"}, "model must be one of pixel_lstm, pixelcnn"),
        ({"lr": 0}, "lr must be > 0"),
        ({"train_limit": 10}, "at least one batch"),
        ({"lr_schedule": "cosine"}, "lr_schedule must be one of constant, linear"),
    ]:
        with pytest.raises(ValueError, match=message):
            ARArgs(**kwargs)
    with pytest.raises(TypeError, match="needs ARArgs"):
        ARTrainer({"model": "pixelcnn"})


def test_trainer_learns_records_nats_and_round_trips(data_root, tmp_path):
    digits = data.mnist(train=True, scale="unit", limit=512)
    args = ARArgs(model="pixelcnn", channels=16, layers=2, batch_size=64, epochs=2, log_every=8, sample_count=1, progress=False)
    trainer = ARTrainer(args, trainset=digits)
    model = trainer.train()
    nll = [row["nll"] for row in trainer.history]
    assert len(nll) == 16 and nll[-1] < 0.8 * nll[0]  # from about 784 log 2 = 543 nats down
    assert [snapshot["step"] for snapshot in trainer.snapshots] == [0, 8, 16]
    assert trainer.snapshots[-1]["samples"].shape == (1, 1, 28, 28)
    trainer.save(tmp_path / "pixelcnn")
    loaded, record = load_checkpoint(tmp_path / "pixelcnn")
    x = scales.binarize(digits.images[:4], torch.Generator().manual_seed(0))
    torch.testing.assert_close(log_likelihood(loaded, x), log_likelihood(model, x))
    assert record["args"]["model"] == "pixelcnn" and record["steps"] == 16
    # the training curve in the metadata holds every step's NLL, to 4 significant digits
    assert record["training_curve"]["nll"] == [float(f"{value:.4g}") for value in nll]
    again = ARTrainer(args, trainset=digits)
    again.train()
    assert [row["nll"] for row in again.history] == nll


def test_linear_schedule_takes_the_rate_to_near_zero_and_resumes_on_the_same_line(data_root, tmp_path):
    digits = data.mnist(train=True, scale="unit", limit=256)
    args = ARArgs(model="pixelcnn", channels=8, layers=1, batch_size=64, epochs=2, lr=1e-3, lr_schedule="linear",
                  log_every=100, sample_count=0, progress=False)

    def rates_of(trainer):
        rates, step = [], trainer.training_step
        trainer.training_step = lambda *batch: (step(*batch), rates.append(trainer.optimizer.param_groups[0]["lr"]))[0]
        return rates

    whole = ARTrainer(args, trainset=digits)
    rates = rates_of(whole)
    whole.train()
    assert len(rates) == 8 and rates[0] == pytest.approx(1e-3) and rates[-1] == pytest.approx(1e-3 / 8)
    assert all(later < earlier for earlier, later in zip(rates, rates[1:]))
    # stopped in the second epoch, then resumed from the state saved after the first: the same line
    stopped = ARTrainer(args, trainset=digits)
    stopped.resume(tmp_path / "run.state")
    step = stopped.training_step

    def interrupt_at_step_six(*batch):
        if stopped.step == 5:
            raise KeyboardInterrupt
        return step(*batch)

    stopped.training_step = interrupt_at_step_six
    with pytest.raises(KeyboardInterrupt):
        stopped.train()
    second = ARTrainer(args, trainset=digits)
    assert second.resume(tmp_path / "run.state") and second.step == 4
    resumed = rates_of(second)
    second.train()
    assert resumed == pytest.approx(rates[4:])
    assert [row["nll"] for row in second.history] == [row["nll"] for row in whole.history]


def test_recipes_and_the_command_line_train_an_autoregressive_model(data_root, tmp_path, capsys):
    import json

    from vaegan.cli import main
    from vaegan.recipes import recipe

    for name in ("pixel_lstm", "pixelcnn"):
        for profile in ("smoke", "book", "full"):
            assert isinstance(recipe(name, profile), ARArgs)
    assert recipe("pixel_lstm", "full").hidden_size == 512  # the seminar's
    assert main(["train", "pixelcnn", "--profile", "smoke", "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    model, record = load_checkpoint(tmp_path / "pixelcnn")
    assert isinstance(model, PixelCNN) and record["metrics"]["test_images"] == 10_000
    assert 0 < printed["test_nll"] <= 784 * 0.7 and record["metrics"]["test_nll"] == printed["test_nll"]
    assert len(record["history"]["nll"]) == record["steps"]  # the page plots how a loaded model trained
    assert main(["train", "pixel_lstm", "--profile", "smoke", "--samples", "30", "--out", str(tmp_path)]) == 0
    samples = load_samples(tmp_path / "pixel_lstm")
    assert samples["images"].shape == (30, 1, 28, 28) and samples["chunk"] == 100 and samples["seconds"] > 0
    model, _ = load_checkpoint(tmp_path / "pixel_lstm")
    assert torch.equal(samples["images"], model.sample_images(30, seed=0))
