"""The autoencoder family: the ARENA architecture, shapes, both transposed convolutions, clear errors."""

import pytest
import torch
from torch import nn

from vaegan.autoencoders.models import MLPVAE, VAE, Autoencoder
from vaegan.convtranspose.operations import ConvTranspose2d as ScratchConvTranspose2d


def layer_types(module):
    return [type(layer).__name__ for layer in module]


def test_autoencoder_is_the_arena_architecture():
    model = Autoencoder(latent_size=5, hidden_size=128)
    assert layer_types(model.encoder) == ["Conv2d", "ReLU", "Conv2d", "ReLU", "Rearrange", "Linear", "ReLU", "Linear"]
    assert layer_types(model.decoder) == [
        "Linear", "ReLU", "Linear", "ReLU", "Rearrange", "ConvTranspose2d", "ReLU", "ConvTranspose2d"
    ]
    convolutions = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert [(m.in_channels, m.out_channels) for m in convolutions] == [(1, 16), (16, 32), (32, 16), (16, 1)]
    assert all(m.kernel_size == (4, 4) and m.stride == (2, 2) and m.padding == (1, 1) and m.bias is None for m in convolutions)
    assert model.encoder[5].in_features == 7 * 7 * 32 and model.encoder[5].out_features == 128
    assert model(torch.randn(3, 1, 28, 28)).shape == (3, 1, 28, 28)
    assert model.encoder(torch.randn(3, 1, 28, 28)).shape == (3, 5)


def test_vae_encoder_stacks_mean_and_log_sigma():
    torch.manual_seed(0)
    model = VAE(latent_size=4, hidden_size=32)
    x = torch.randn(6, 1, 28, 28)
    stats = model.encoder(x)
    assert stats.shape == (2, 6, 4)
    z, mu, log_sigma = model.sample_latent_vector(x)
    assert torch.equal(mu, stats[0]) and torch.equal(log_sigma, stats[1])
    assert not torch.equal(z, mu)  # sampled, not the mean
    torch.manual_seed(1)
    reconstruction, mu2, _ = model(x)
    torch.manual_seed(1)
    z_again, _, _ = model.sample_latent_vector(x)
    assert torch.allclose(reconstruction, model.decoder(z_again)) and torch.equal(mu2, mu)


def test_mlp_vae_is_the_seminar_model():
    model = MLPVAE()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 400), (400, 40), (20, 400), (400, 784)]
    out, mu, log_sigma = model(torch.rand(2, 1, 28, 28))
    assert out.shape == (2, 1, 28, 28) and mu.shape == log_sigma.shape == (2, 20)


@pytest.mark.parametrize("model_class", [Autoencoder, VAE])
def test_from_scratch_transposed_convolution_gives_the_same_model(model_class):
    torch.manual_seed(0)
    ours = model_class(latent_size=3, hidden_size=16, conv_transpose="vaegan")
    theirs = model_class(latent_size=3, hidden_size=16, conv_transpose="torch")
    assert any(isinstance(m, ScratchConvTranspose2d) for m in ours.decoder)
    theirs.load_state_dict(ours.state_dict())
    z = torch.randn(5, 3, requires_grad=True)
    out_ours, out_theirs = ours.decoder(z), theirs.decoder(z)
    torch.testing.assert_close(out_ours, out_theirs, rtol=1e-5, atol=1e-5)
    grad_ours, = torch.autograd.grad(out_ours.square().sum(), z)
    grad_theirs, = torch.autograd.grad(out_theirs.square().sum(), z)
    torch.testing.assert_close(grad_ours, grad_theirs, rtol=1e-4, atol=1e-5)


def test_deeper_stack_for_faces():
    model = VAE(latent_size=8, hidden_size=32, image_shape=(3, 64, 64), channels=(8, 8, 16, 16))
    out, mu, _ = model(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, 3, 64, 64) and mu.shape == (2, 8)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(latent_size=0), "latent_size must be at least 1"),
        (dict(hidden_size=-1), "hidden_size must be positive"),
        (dict(image_shape=(1, 30, 30)), "divisible by 4"),
        (dict(channels=()), "channels must be a non-empty list"),
        (dict(conv_transpose="mine"), "conv_transpose must be one of"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        VAE(**kwargs)
    with pytest.raises(ValueError, match=message):
        Autoencoder(**kwargs)


def test_wrong_image_shape_is_refused_with_the_expected_shape():
    model = VAE()
    with pytest.raises(ValueError, match=r"takes images of shape \(batch, 1, 28, 28\), got \(4, 3, 28, 28\)"):
        model(torch.randn(4, 3, 28, 28))
    with pytest.raises(ValueError, match="add a batch dimension"):
        Autoencoder()(torch.randn(1, 28, 28))
    with pytest.raises(ValueError, match=r"decodes latents of shape \(batch, 5\)"):
        model.decode(torch.randn(2, 7))
