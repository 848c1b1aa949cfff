"""Trainers: arguments validated, learning for real, reproducible, checkpoints, wandb offline."""

import dataclasses

import pytest
import torch

from vaegan.autoencoders.train import AutoencoderArgs, AutoencoderTrainer, VAEArgs, VAETrainer
from vaegan.core import data, scales
from vaegan.registry import load_checkpoint, trainer_for


@pytest.mark.parametrize(
    "args_class, kwargs, message",
    [
        (AutoencoderArgs, dict(latent_size=0), "latent_size must be an int >= 1"),
        (VAEArgs, dict(beta_kl=-0.5), "beta_kl must be >= 0"),
        (AutoencoderArgs, dict(dataset="cifar10"), "unknown dataset 'cifar10'; use one of mnist, celeba"),
        (AutoencoderArgs, dict(model="vae"), "model must be one of autoencoder"),
        (VAEArgs, dict(likelihood="laplace"), "likelihood must be one of"),
        (VAEArgs, dict(dataset="celeba", likelihood="bernoulli"), "needs binary-ish pixels"),
        (AutoencoderArgs, dict(noise_std=-1), "noise_std must be >= 0"),
        (AutoencoderArgs, dict(batch_size=0), "batch_size must be >= 1"),
        (AutoencoderArgs, dict(betas=(0.5, 1.5)), "betas must be two numbers"),
        (VAEArgs, dict(binarize=True), "set likelihood='bernoulli'"),
    ],
)
def test_bad_arguments_raise_clear_errors(args_class, kwargs, message):
    with pytest.raises(ValueError, match=message):
        args_class(**kwargs)


def quick(args_class=VAEArgs, **overrides):
    settings = dict(batch_size=128, epochs=2, log_every=4, progress=False, hidden_size=32, latent_size=3)
    return args_class(**{**settings, **overrides})


def test_trainer_refuses_images_of_the_wrong_shape(small_mnist):
    faces = data.ImageTensors(torch.zeros(8, 3, 64, 64), torch.zeros(8, dtype=torch.long))
    with pytest.raises(ValueError, match=r"takes images of shape \(batch, 1, 28, 28\), got \(1, 3, 64, 64\)"):
        VAETrainer(quick(), trainset=faces, holdout=small_mnist.images[:10])
    with pytest.raises(TypeError, match="needs VAEArgs"):
        VAETrainer(quick(AutoencoderArgs), trainset=small_mnist, holdout=small_mnist.images[:10])


def test_vae_trainer_learns_records_and_snapshots(small_mnist):
    trainer = trainer_for(quick(epochs=5), trainset=small_mnist, holdout=small_mnist.images[:10])
    assert isinstance(trainer, VAETrainer)
    first = trainer.training_step(small_mnist.images[:128], None)
    trainer.train()
    assert trainer.step == 1 + 5 * 8 and len(trainer.history) == 40
    assert {"loss", "reconstruction", "kl", "mean_sigma"} <= set(trainer.history[-1])
    assert trainer.history[-1]["reconstruction"] < 0.8 * first["reconstruction"]
    steps = [snapshot["step"] for snapshot in trainer.snapshots]
    assert steps[0] == 1 and steps[-1] == trainer.step and all(b > a for a, b in zip(steps, steps[1:]))
    assert trainer.snapshots[-1]["reconstructions"].shape == (10, 1, 28, 28)
    assert trainer.snapshots[-1]["samples"].shape == (20, 1, 28, 28)


def test_same_seed_same_numbers_other_seed_other_numbers(small_mnist):
    def losses(seed):
        trainer = trainer_for(quick(seed=seed, epochs=1), trainset=small_mnist, holdout=small_mnist.images[:10])
        trainer.train()
        return [row["loss"] for row in trainer.history]

    assert losses(3) == losses(3)
    assert losses(3) != losses(4)


def test_denoising_and_sparse_variants_change_what_is_trained(small_mnist):
    clean = AutoencoderTrainer(quick(AutoencoderArgs, epochs=1), trainset=small_mnist, holdout=small_mnist.images[:10])
    noisy = AutoencoderTrainer(quick(AutoencoderArgs, noise_std=0.4), trainset=small_mnist, holdout=small_mnist.images[:10])
    images = small_mnist.images[:4]
    assert torch.equal(clean.corrupt(images), images)
    # noise of 0.4 pixel units is 0.4 / 0.3081 in standardised units
    assert abs((noisy.corrupt(images) - images).std().item() - 0.4 / scales.MNIST_STD) < 0.05
    sparse = AutoencoderTrainer(quick(AutoencoderArgs, sparsity_weight=1.0), trainset=small_mnist, holdout=images)
    step = sparse.training_step(small_mnist.images[:128], None)
    assert step["loss"] == pytest.approx(step["reconstruction"] + step["code_l1"], rel=1e-5)


def test_checkpoint_of_a_trained_model_reproduces_its_outputs(small_mnist, tmp_path):
    trainer = trainer_for(quick(epochs=1), trainset=small_mnist, holdout=small_mnist.images[:10])
    model = trainer.train()
    trainer.save(tmp_path / "vae", metrics={"note": "test"})
    loaded, record = load_checkpoint(tmp_path / "vae")
    assert record["steps"] == trainer.step and record["args"]["beta_kl"] == 0.1 and record["scale"] == "standard"
    x = small_mnist.images[:5]
    torch.testing.assert_close(loaded.encoder(x), model.encoder(x))


def test_wandb_logging_offline(small_mnist, offline_wandb, offline_wandb_flush):
    tmp_path = offline_wandb
    trainer = trainer_for(quick(epochs=1, use_wandb=True, wandb_name="test"), trainset=small_mnist, holdout=small_mnist.images[:10])
    trainer.train()
    offline_wandb_flush()
    runs = list(tmp_path.rglob("run-*.wandb"))
    assert runs, "wandb wrote no offline run"
    assert runs[0].stat().st_size > 1000


def test_dynamic_binarisation_draws_fresh_binary_batches(data_root):
    digits = data.mnist(train=True, scale="unit", limit=256)
    args = quick(likelihood="bernoulli", binarize=True, beta_kl=3 / 784, epochs=1)
    trainer = trainer_for(args, trainset=digits, holdout=digits.images[:10])
    first, second = trainer.prepare(digits.images[:64]), trainer.prepare(digits.images[:64])
    assert set(first.unique().tolist()) == {0.0, 1.0} and not torch.equal(first, second)
    # on average a draw keeps each pixel's intensity
    assert abs(first.mean() - digits.images[:64].mean()) < 0.01
    plain = trainer_for(dataclasses.replace(args, binarize=False), trainset=digits, holdout=digits.images[:10])
    assert torch.equal(plain.prepare(digits.images[:64]), digits.images[:64])
