"""A long run can stop after any epoch and go on later: a resumed run gives the same weights, the same
history and the same snapshots as one that never stopped, and a state from another run is refused."""

import dataclasses

import pytest
import torch

from vaegan.autoencoders.train import AutoencoderArgs, AutoencoderTrainer
from vaegan.core.checkpoints import CheckpointError
from vaegan.core.data import ImageTensors
from vaegan.gans.train import GANArgs, GANTrainer


def images(count=96, scale="standard"):
    pixels = torch.rand(count, 1, 28, 28, generator=torch.Generator().manual_seed(3))
    return ImageTensors(pixels * 2 - 1 if scale == "symmetric" else pixels, torch.zeros(count, dtype=torch.long), scale)


def autoencoder(epochs):
    args = AutoencoderArgs(hidden_size=16, epochs=epochs, batch_size=32, log_every=2, progress=False, device="cpu")
    return AutoencoderTrainer(args, trainset=images(), holdout=images()[:10][0])


def gan(epochs):
    args = GANArgs(model="mlp", latent_size=8, hidden_size=32, epochs=epochs, batch_size=32, log_every=2,
                   progress=False, device="cpu")
    return GANTrainer(args, trainset=images(scale="unit"))


@pytest.mark.parametrize("make", [autoencoder, gan], ids=["autoencoder", "gan"])
def test_a_resumed_run_is_the_run_that_never_stopped(make, tmp_path):
    torch.manual_seed(0)
    straight = make(epochs=3)
    straight.train()

    torch.manual_seed(0)
    first = make(epochs=1)
    first.resume(tmp_path / "run.state")  # nothing there yet: a fresh run that saves after every epoch
    first.train()
    assert (tmp_path / "run.state").exists() and first.epoch == 1
    later = make(epochs=3)  # a new process, the same command with more epochs
    assert later.resume(tmp_path / "run.state") and later.epoch == 1
    later.train()

    assert later.step == straight.step and later.epoch == 3
    for mine, theirs in zip(later.networks(), straight.networks()):
        for a, b in zip(mine.state_dict().values(), theirs.state_dict().values()):
            assert torch.equal(a, b)
    assert later.history == straight.history
    assert [s["step"] for s in later.snapshots] == [s["step"] for s in straight.snapshots]
    assert later.train_seconds > first.train_seconds > 0


def test_a_state_from_other_arguments_or_another_trainer_is_refused(tmp_path):
    trainer = autoencoder(epochs=1)
    trainer.train()
    trainer.save_state(tmp_path / "run.state")
    other = AutoencoderTrainer(dataclasses.replace(trainer.args, lr=0.5), trainset=images(), holdout=images()[:10][0])
    with pytest.raises(CheckpointError, match="other arguments .*lr: stored 0.001, now 0.5"):
        other.resume(tmp_path / "run.state")
    with pytest.raises(CheckpointError, match="from a AutoencoderTrainer, not a GANTrainer"):
        gan(epochs=1).resume(tmp_path / "run.state")
    torch.save({"format": "something else"}, tmp_path / "bad.state")
    with pytest.raises(CheckpointError, match="not a trainer state"):
        autoencoder(epochs=1).resume(tmp_path / "bad.state")
