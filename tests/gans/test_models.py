"""vaegan.gans.models: the DCGAN follows Radford et al., the critics drop batch norm."""

import pytest
import torch
from torch import nn

from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator
from vaegan.registry import load_checkpoint


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


def test_extra_layers_add_same_size_convolutions_at_every_size_before_the_image(tmp_path):
    from vaegan.core.checkpoints import save_checkpoint

    plain = DCGANGenerator(16, (32, 64), (1, 28, 28))
    deeper = DCGANGenerator(16, (32, 64), (1, 28, 28), extra_layers=2)
    same_size = [m for m in deeper.modules() if isinstance(m, nn.Conv2d)]
    # two at 7x7 (64 channels) and two at 14x14 (32), none at the image's 28x28
    assert [m.in_channels for m in same_size] == [64, 64, 32, 32]
    assert all(m.stride == (1, 1) and m.kernel_size == (3, 3) for m in same_size)
    batch_norms = sum(isinstance(m, nn.BatchNorm2d) for m in deeper.modules())
    assert batch_norms == sum(isinstance(m, nn.BatchNorm2d) for m in plain.modules()) + 4
    assert deeper(torch.randn(3, 16)).shape == plain(torch.randn(3, 16)).shape == (3, 1, 28, 28)
    # the config says so (a plain generator's config is unchanged), and a checkpoint rebuilds it
    assert deeper.config["extra_layers"] == 2 and "extra_layers" not in plain.config
    save_checkpoint(deeper, tmp_path / "deeper")
    loaded, _ = load_checkpoint(tmp_path / "deeper")
    z = torch.randn(2, 16)
    torch.testing.assert_close(loaded.eval()(z), deeper.eval()(z))
    with pytest.raises(ValueError, match="extra_layers must be an int >= 0"):
        DCGANGenerator(extra_layers=-1)


def test_models_refuse_wrong_shapes_with_the_expected_one():
    with pytest.raises(ValueError, match=r"latents of shape \(batch, 100\)"):
        DCGANGenerator()(torch.randn(2, 50))
    with pytest.raises(ValueError, match=r"images of shape \(batch, 3, 64, 64\)"):
        DCGANDiscriminator()(torch.randn(2, 1, 28, 28))
    with pytest.raises(ValueError, match="divisible by 8"):
        DCGANGenerator(image_shape=(1, 28, 28))
    with pytest.raises(ValueError, match="norm must be one of"):
        DCGANDiscriminator(norm="layer")


def test_spectral_norm_discriminator_checkpoint_loads(tmp_path):
    from vaegan.core.checkpoints import save_checkpoint

    critic = DCGANDiscriminator((8, 16), (1, 28, 28), norm="spectral")
    critic(torch.randn(2, 1, 28, 28))
    save_checkpoint(critic, tmp_path / "critic")
    loaded, _ = load_checkpoint(tmp_path / "critic")
    x = torch.randn(2, 1, 28, 28)
    torch.testing.assert_close(loaded.eval()(x), critic.eval()(x))
