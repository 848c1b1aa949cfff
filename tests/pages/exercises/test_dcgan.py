"""Chapter 6's checkers accept the package's solutions, name the usual mistakes, and stay quiet when not attempted."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vaegan.gans.losses import gradient_penalty
from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator, initialise_dcgan
from vaegan.gans.spectral import largest_singular_value
from vaegan.pages import exercises


def generator_class(output_norm=False, final=nn.Tanh, activation=nn.ReLU, bias=False, padding=1):
    class Learner(nn.Module):
        def __init__(self, latent_size, hidden_channels, image_shape):
            super().__init__()
            channels, size, _ = image_shape
            first, widest = size // 2 ** len(hidden_channels), hidden_channels[-1]
            layers = [
                nn.Linear(latent_size, widest * first * first, bias=bias), nn.Unflatten(1, (widest, first, first)),
                nn.BatchNorm2d(widest), activation(),
            ]
            outputs = list(reversed(hidden_channels[:-1])) + [channels]
            previous = widest
            for index, out in enumerate(outputs):
                last = index == len(outputs) - 1
                layers.append(nn.ConvTranspose2d(previous, out, 4, 2, padding, bias=bias))
                if not last or output_norm:
                    layers.append(nn.BatchNorm2d(out))
                layers.append(final() if last else activation())
                previous = out
            self.net = nn.Sequential(*layers)

        def forward(self, z):
            return self.net(z)

    return Learner


def discriminator_class(input_norm=False, activation=lambda: nn.LeakyReLU(0.2), squeeze=True):
    class Learner(nn.Module):
        def __init__(self, hidden_channels, image_shape):
            super().__init__()
            channels, size, _ = image_shape
            layers, previous = [], channels
            for index, width in enumerate(hidden_channels):
                layers.append(nn.Conv2d(previous, width, 4, 2, 1, bias=False))
                if index > 0 or input_norm:
                    layers.append(nn.BatchNorm2d(width))
                layers.append(activation())
                previous = width
            last = size // 2 ** len(hidden_channels)
            layers += [nn.Flatten(), nn.Linear(previous * last * last, 1, bias=False)]
            self.net = nn.Sequential(*layers)

        def forward(self, x):
            logits = self.net(x)
            return logits[:, 0] if squeeze else logits

    return Learner


def test_generator_checker():
    assert exercises.check_dcgan_generator(DCGANGenerator)
    assert exercises.check_dcgan_generator(generator_class())
    with pytest.raises(AssertionError, match="batch norm on the output layer"):
        exercises.check_dcgan_generator(generator_class(output_norm=True))
    with pytest.raises(AssertionError, match="sigmoid instead of tanh"):
        exercises.check_dcgan_generator(generator_class(final=nn.Sigmoid))
    with pytest.raises(AssertionError, match="wrong shape"):
        exercises.check_dcgan_generator(generator_class(padding=0))
    with pytest.raises(AssertionError, match="a bias in the linear"):
        exercises.check_dcgan_generator(generator_class(bias=True))
    with pytest.raises(AssertionError, match="LeakyReLU in the generator"):
        exercises.check_dcgan_generator(generator_class(activation=lambda: nn.LeakyReLU(0.2)))


def test_discriminator_checker():
    assert exercises.check_dcgan_discriminator(DCGANDiscriminator)
    assert exercises.check_dcgan_discriminator(discriminator_class())
    with pytest.raises(AssertionError, match="batch norm on the input layer"):
        exercises.check_dcgan_discriminator(discriminator_class(input_norm=True))
    with pytest.raises(AssertionError, match="ReLU instead of LeakyReLU"):
        exercises.check_dcgan_discriminator(discriminator_class(activation=nn.ReLU))
    with pytest.raises(AssertionError, match=r"returns shape \(8, 1\), where \(8,\) belongs"):
        exercises.check_dcgan_discriminator(discriminator_class(squeeze=False))
    with pytest.raises(AssertionError, match="default slope 0.01"):
        exercises.check_dcgan_discriminator(discriminator_class(activation=nn.LeakyReLU))


def initialise_with(weight_std=0.02, scale_mean=1.0, scale_std=0.02, touch_norm=True):
    def initialise(model):
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.normal_(module.weight, 0.0, weight_std)
            elif isinstance(module, nn.BatchNorm2d) and touch_norm:
                nn.init.normal_(module.weight, scale_mean, scale_std)
                nn.init.zeros_(module.bias)
        return model

    return initialise


def uniform_weights(model):
    initialise_dcgan(model)
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            bound = 0.02 * 3 ** 0.5  # the right spread, the wrong distribution
            nn.init.uniform_(module.weight, -bound, bound)
    return model


def convolutions_only(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
    return model


def test_initialisation_checker_accepts_the_package_function():
    assert exercises.check_dcgan_initialisation(initialise_dcgan)


@pytest.mark.parametrize("mistake, message", [
    (initialise_with(weight_std=0.2), "std 0.2 in"),
    (initialise_with(touch_norm=False), "batch norm scales left at 1"),
    (initialise_with(scale_mean=0.0), r"batch norm scales drawn from N\(0, 0.02\)"),
    (uniform_weights, "not a normal distribution"),
    (convolutions_only, "Linear net.0 was not initialised"),
])
def test_initialisation_checker_names_the_mistake(mistake, message):
    with pytest.raises(AssertionError, match=message):
        exercises.check_dcgan_initialisation(mistake)


def penalty_with(per_sample=True, squared_gap=True, create_graph=True):
    def penalty(critic, real, fake, generator):
        t = torch.rand(real.shape[0], 1, 1, 1, generator=generator)
        between = (t * real + (1 - t) * fake).requires_grad_(True)
        (gradients,) = torch.autograd.grad(critic(between).sum(), between, create_graph=create_graph)
        norms = gradients.flatten(1).norm(dim=1) if per_sample else gradients.norm()
        return ((norms - 1) ** 2).mean() if squared_gap else norms.mean()

    return penalty


def test_gradient_penalty_checker():
    assert exercises.check_gradient_penalty(gradient_penalty)
    assert exercises.check_gradient_penalty(penalty_with())
    with pytest.raises(AssertionError, match=r"penalised the norm instead of \(norm - 1\)²"):
        exercises.check_gradient_penalty(penalty_with(squared_gap=False))
    with pytest.raises(AssertionError, match="one norm over the whole batch instead of per sample"):
        exercises.check_gradient_penalty(penalty_with(per_sample=False))
    with pytest.raises(AssertionError, match="create_graph missing"):
        exercises.check_gradient_penalty(penalty_with(create_graph=False))


def power_iteration_with(normalise=True, frobenius=False, reshape=True):
    def power_iteration(weight, iterations, v):
        matrix = weight.flatten(1) if reshape else weight
        if frobenius:
            return matrix.norm(), F.normalize(matrix @ v, dim=0), v
        for _ in range(iterations):
            u = matrix @ v
            u = u / u.norm() if normalise else u
            v = matrix.T @ u
            v = v / v.norm() if normalise else v
        return u @ matrix @ v, u, v

    return power_iteration


def test_largest_singular_value_checker():
    assert exercises.check_largest_singular_value(largest_singular_value)
    assert exercises.check_largest_singular_value(power_iteration_with())
    with pytest.raises(AssertionError, match="forgot to normalise the vectors"):
        exercises.check_largest_singular_value(power_iteration_with(normalise=False))
    with pytest.raises(AssertionError, match="Frobenius norm"):
        exercises.check_largest_singular_value(power_iteration_with(frobenius=True))
    with pytest.raises(AssertionError, match="Not reshaping a convolution kernel"):
        exercises.check_largest_singular_value(power_iteration_with(reshape=False))


@pytest.mark.parametrize("checker, unwritten", [
    (exercises.check_dcgan_generator, lambda latent, hidden, shape: nn.Module()),
    (exercises.check_dcgan_discriminator, lambda hidden, shape: nn.Module()),
    (exercises.check_dcgan_initialisation, lambda model: None),
    (exercises.check_gradient_penalty, lambda critic, real, fake, generator: None),
    (exercises.check_largest_singular_value, lambda weight, iterations, v: None),
])
def test_unattempted_exercises_print_one_line_and_show_nothing(checker, unwritten, capsys):
    verdict = checker(unwritten)
    assert not verdict
    printed = capsys.readouterr().out
    assert "not attempted" in printed and printed.count("\n") == 1
    assert verdict._ipython_display_() is None


def test_checkers_leave_the_notebooks_random_streams_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    exercises.check_dcgan_generator(DCGANGenerator)
    torch.testing.assert_close(torch.rand(3), expected)
