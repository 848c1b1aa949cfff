"""GAN models, losses and trainer: architecture rules, exact loss identities, the trainer's records."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vaegan import data
from vaegan.checkpoints import load_checkpoint
from vaegan.gan_losses import critic_loss, discriminator_loss, generator_loss, gradient_penalty
from vaegan.gan_train import DivergenceError, GANArgs, GANTrainer
from vaegan.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


def test_dcgan_shapes_for_arena_celeba_and_mnist_configurations():
    generator, discriminator = DCGANGenerator(), DCGANDiscriminator()
    z = torch.randn(4, 100)
    images = generator(z)
    assert images.shape == (4, 3, 64, 64) and images.abs().max() <= 1
    assert discriminator(images).shape == (4,)
    small = DCGANGenerator(latent_size=16, hidden_channels=(32, 64), image_shape=(1, 28, 28))
    assert small(torch.randn(2, 16)).shape == (2, 1, 28, 28)
    assert DCGANDiscriminator((32, 64), (1, 28, 28))(torch.zeros(2, 1, 28, 28)).shape == (2,)


def test_dcgan_follows_radford_et_al():
    generator, discriminator = DCGANGenerator(), DCGANDiscriminator()
    generator_layers, discriminator_layers = list(generator.net), list(discriminator.net)
    # no pooling anywhere; batch norm except after the generator's output and the discriminator's input
    assert not any(isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) for m in [*generator.modules(), *discriminator.modules()])
    assert isinstance(generator_layers[-1], nn.Tanh) and isinstance(generator_layers[-2], nn.ConvTranspose2d)
    assert isinstance(discriminator_layers[0], nn.Conv2d) and isinstance(discriminator_layers[1], nn.LeakyReLU)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in generator.modules()) == 3
    assert sum(isinstance(m, nn.BatchNorm2d) for m in discriminator.modules()) == 2
    assert all(m.negative_slope == 0.2 for m in discriminator.modules() if isinstance(m, nn.LeakyReLU))
    assert any(isinstance(m, nn.ReLU) for m in generator.modules())
    # weights from N(0, 0.02), batch-norm scales from N(1, 0.02)
    convolution = generator_layers[4].weight
    assert abs(convolution.std().item() - 0.02) < 0.002 and abs(convolution.mean().item()) < 0.002
    scales = torch.cat([m.weight for m in generator.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(scales.mean().item() - 1) < 0.01


@pytest.mark.parametrize("norm", ["none", "spectral"])
def test_critic_norms_drop_batch_norm(norm):
    critic = DCGANDiscriminator((16, 32), (1, 28, 28), norm=norm)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())
    if norm == "spectral":
        critic.train()
        for _ in range(30):  # power iteration converges as the critic runs
            critic(torch.randn(4, 1, 28, 28))
        first = critic.net[0]
        matrix = first.weight.flatten(1)
        assert torch.linalg.matrix_norm(matrix, ord=2).item() == pytest.approx(1.0, rel=0.05)


def test_models_refuse_wrong_shapes_with_the_expected_one():
    with pytest.raises(ValueError, match=r"latents of shape \(batch, 100\)"):
        DCGANGenerator()(torch.randn(2, 50))
    with pytest.raises(ValueError, match=r"images of shape \(batch, 3, 64, 64\)"):
        DCGANDiscriminator()(torch.randn(2, 1, 28, 28))
    with pytest.raises(ValueError, match="divisible by 8"):
        DCGANGenerator(image_shape=(1, 28, 28))
    with pytest.raises(ValueError, match="norm must be one of"):
        DCGANDiscriminator(norm="layer")


def test_discriminator_loss_is_binary_cross_entropy_on_probabilities():
    generator = torch.Generator().manual_seed(0)
    real, fake = torch.randn(16, generator=generator), torch.randn(16, generator=generator)
    expected = F.binary_cross_entropy(torch.sigmoid(real), torch.ones(16)) + F.binary_cross_entropy(torch.sigmoid(fake), torch.zeros(16))
    torch.testing.assert_close(discriminator_loss(real, fake), expected)


def test_minimax_generator_loss_saturates_where_non_saturating_does_not():
    """For a confident discriminator (D(G(z)) = sigmoid(-8)), the two gradients w.r.t. the logit."""
    logits = torch.full((4,), -8.0, requires_grad=True)
    grads = {}
    for kind in ("minimax", "non_saturating"):
        (grads[kind],) = torch.autograd.grad(generator_loss(logits, kind), logits)
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1 - sigmoid(l)); each / batch
    torch.testing.assert_close(grads["minimax"], -torch.sigmoid(logits.detach()) / 4)
    torch.testing.assert_close(grads["non_saturating"], -(1 - torch.sigmoid(logits.detach())) / 4)
    assert grads["non_saturating"].abs().min() > 1000 * grads["minimax"].abs().max()
    with pytest.raises(ValueError, match="unknown generator loss"):
        generator_loss(logits, "wasserstein")


def test_gradient_penalty_of_a_linear_critic_is_exact():
    weight = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(0))

    def critic(x):
        return (x * weight).flatten(1).sum(1)

    real, fake = torch.randn(8, 1, 4, 4), torch.randn(8, 1, 4, 4)
    expected = (weight.norm() - 1) ** 2
    torch.testing.assert_close(gradient_penalty(critic, real, fake), expected)
    assert critic_loss(torch.ones(3), torch.zeros(3)).item() == -1.0
    with pytest.raises(ValueError, match="same shape"):
        gradient_penalty(critic, real, fake[:4])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(loss="wgan-gp"), "must not use batch norm"),
        (dict(model="vae"), "model must be 'mlp' or 'dcgan'"),
        (dict(dataset="cifar10"), "unknown dataset"),
        (dict(batch_size=1), "batch_size must be >= 2"),
        (dict(generator_loss="hinge"), "generator_loss must be one of"),
        (dict(model="mlp", norm="spectral"), "dcgan discriminator only"),
        (dict(critic_steps=0), "critic_steps must be >= 1"),
    ],
)
def test_bad_gan_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GANArgs(**kwargs)


@pytest.fixture(scope="module")
def digits(data_root):
    return data.mnist(train=True, scale="symmetric", limit=256)


def quick(**overrides):
    settings = dict(latent_size=8, hidden_channels=(8, 16), batch_size=32, epochs=2, log_every=4, sample_count=8, progress=False)
    return GANArgs(**{**settings, **overrides})


def test_trainer_records_every_signal_and_is_reproducible(digits):
    first = GANTrainer(quick(), trainset=digits)
    first.train()
    assert first.step == 2 * 8 and len(first.history) == 16
    assert {"d_loss", "g_loss", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"} <= set(first.history[-1])
    assert all(torch.isfinite(torch.tensor(list(row.values()), dtype=torch.float64)).all() for row in first.history)
    assert [s["step"] for s in first.snapshots] == [0, 4, 8, 12, 16]
    assert first.snapshots[-1]["samples"].shape == (8, 1, 28, 28)
    assert 0 <= first.snapshots[-1]["samples"].min() and first.snapshots[-1]["samples"].max() <= 1
    again = GANTrainer(quick(), trainset=digits)
    again.train()
    assert [row["d_loss"] for row in again.history] == [row["d_loss"] for row in first.history]


def test_wgan_gp_updates_the_generator_every_fifth_step(digits):
    trainer = GANTrainer(quick(loss="wgan-gp", norm="none", critic_steps=5, epochs=1, lr=1e-4, betas=(0.0, 0.9)), trainset=digits)
    trainer.train()
    generator_steps = trainer.optimizer_g.state[next(trainer.generator.parameters())]["step"].item()
    assert trainer.step == 8 and generator_steps == 1


def test_a_nan_loss_stops_training_naming_the_step_and_network(digits, monkeypatch):
    trainer = GANTrainer(quick(), trainset=digits)
    trainer.train()
    monkeypatch.setattr(trainer.discriminator, "forward", lambda x: torch.full((x.shape[0],), float("nan")))
    with pytest.raises(DivergenceError, match=r"step 17: the discriminator's loss is nan"):
        trainer.training_step(digits.images[:32])


def test_mlp_gan_and_checkpoints_round_trip(digits, tmp_path):
    unit = data.ImageTensors(data.to_unit(digits.images, "symmetric"), digits.labels, "unit")
    trainer = GANTrainer(quick(model="mlp", latent_size=20, hidden_size=64, epochs=1), trainset=unit)
    generator = trainer.train()
    assert isinstance(generator, MLPGenerator) and isinstance(trainer.discriminator, MLPDiscriminator)
    trainer.save(tmp_path / "gan", discriminator=True)
    loaded, record = load_checkpoint(tmp_path / "gan")
    z = torch.randn(3, 20)
    torch.testing.assert_close(loaded.eval()(z), generator.eval()(z))
    assert record["args"]["model"] == "mlp" and record["steps"] == 8
    critic, _ = load_checkpoint(tmp_path / "gan_discriminator")
    assert isinstance(critic, MLPDiscriminator)


def test_spectral_norm_discriminator_checkpoint_loads(tmp_path):
    from vaegan.checkpoints import save_checkpoint

    critic = DCGANDiscriminator((8, 16), (1, 28, 28), norm="spectral")
    critic(torch.randn(2, 1, 28, 28))
    save_checkpoint(critic, tmp_path / "critic")
    loaded, _ = load_checkpoint(tmp_path / "critic")
    x = torch.randn(2, 1, 28, 28)
    torch.testing.assert_close(loaded.eval()(x), critic.eval()(x))


def test_trainer_refuses_wrong_image_shapes():
    faces = data.ImageTensors(torch.zeros(64, 3, 64, 64), torch.zeros(64, dtype=torch.long), "symmetric")
    with pytest.raises(ValueError, match=r"images of shape \(batch, 1, 28, 28\)"):
        GANTrainer(quick(), trainset=faces)
    with pytest.raises(TypeError, match="needs GANArgs"):
        GANTrainer(dataclasses.asdict(quick()))


def test_gan_wandb_logging_offline(digits, offline_wandb, offline_wandb_flush):
    tmp_path = offline_wandb
    trainer = GANTrainer(quick(epochs=1, use_wandb=True, wandb_name="gan-test"), trainset=digits)
    trainer.train()
    offline_wandb_flush()
    runs = list(tmp_path.rglob("run-*.wandb"))
    assert runs and runs[0].stat().st_size > 1000 and trainer.wandb is None
