"""vaegan.convtranspose.operations against torch.nn.functional, which is the specification."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.convtranspose import operations as convtranspose
from vaegan.convtranspose.operations import ConvTranspose2d, conv_transpose1d, conv_transpose2d
from vaegan.pages import exercises as checks


def test_matches_pytorch_on_320_random_configurations_values_and_gradients():
    report = checks.compare_conv_transpose2d(conv_transpose2d, configurations=320, seed=2024)
    assert report["worst_value"] < 1e-5 and report["worst_gradient"] < 1e-5, report
    # The random draw really covered every feature the issue names, many times over.
    assert min(report["features"].values()) >= 30, report["features"]


def test_float32_matches_to_1e5_on_dcgan_shapes():
    torch.manual_seed(0)
    for in_channels, size, out_channels in [(64, 4, 32), (32, 8, 16), (16, 16, 3)]:
        x = torch.randn(8, in_channels, size, size)
        weight = 0.1 * torch.randn(in_channels, out_channels, 4, 4)
        torch.testing.assert_close(
            conv_transpose2d(x, weight, None, 2, 1), F.conv_transpose2d(x, weight, None, 2, 1), atol=1e-5, rtol=1e-5
        )


def test_batch_chunking_gives_the_same_result(monkeypatch):
    torch.manual_seed(1)
    x = torch.randn(7, 4, 5, 5, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 3, 3, 3, dtype=torch.float64, requires_grad=True)
    whole = conv_transpose2d(x, weight, None, 2, 1, 1)
    whole_grads = torch.autograd.grad(whole.square().sum(), (x, weight))
    monkeypatch.setattr(convtranspose, "COLUMN_BUDGET", 1)  # one sample per chunk
    chunked = conv_transpose2d(x, weight, None, 2, 1, 1)
    chunked_grads = torch.autograd.grad(chunked.square().sum(), (x, weight))
    torch.testing.assert_close(whole, chunked)
    for a, b in zip(whole_grads, chunked_grads):
        torch.testing.assert_close(a, b)


def test_gradcheck():
    torch.manual_seed(0)
    x = torch.randn(2, 4, 3, 4, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 3, 3, 2, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b, c: conv_transpose2d(a, b, c, (2, 1), (1, 0), (1, 0), 2, (1, 2)), (x, weight, bias)
    )


def test_conv_transpose1d_matches_pytorch():
    generator = torch.Generator().manual_seed(7)
    for _ in range(60):
        groups = int(torch.randint(1, 3, (1,), generator=generator))
        in_channels, out_per_group = groups * 2, int(torch.randint(1, 4, (1,), generator=generator))
        kernel, stride, dilation = (int(v) for v in torch.randint(1, 4, (3,), generator=generator))
        padding = int(torch.randint(0, 2, (1,), generator=generator))
        output_padding = int(torch.randint(0, max(stride, dilation), (1,), generator=generator))
        x = torch.randn(2, in_channels, int(torch.randint(2, 8, (1,), generator=generator)), generator=generator)
        weight = torch.randn(in_channels, out_per_group, kernel, generator=generator)
        bias = torch.randn(out_per_group * groups, generator=generator)
        arguments = (stride, padding, output_padding, groups, dilation)
        try:
            expected = F.conv_transpose1d(x, weight, bias, *arguments)
        except RuntimeError:
            continue
        torch.testing.assert_close(conv_transpose1d(x, weight, bias, *arguments), expected, atol=1e-5, rtol=1e-5)


def test_module_is_a_drop_in_for_torch_in_both_directions():
    torch.manual_seed(0)
    arguments = dict(kernel_size=(3, 4), stride=(2, 1), padding=(1, 2), output_padding=(1, 0), groups=2, dilation=1)
    theirs = torch.nn.ConvTranspose2d(4, 6, **arguments)
    ours = ConvTranspose2d(4, 6, **arguments)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in theirs.state_dict().items()}
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 4, 5, 6)
    torch.testing.assert_close(ours(x), theirs(x), atol=1e-5, rtol=1e-5)
    # and the other way round, without bias
    ours = ConvTranspose2d(4, 2, 4, stride=2, padding=1, bias=False)
    theirs = torch.nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1, bias=False)
    theirs.load_state_dict(ours.state_dict())
    torch.testing.assert_close(ours(x), theirs(x), atol=1e-5, rtol=1e-5)
    assert ours.bias is None and "bias=False" in repr(ours)


def test_module_initialisation_has_torchs_scale():
    torch.manual_seed(0)
    ours = ConvTranspose2d(64, 32, 4)
    theirs = torch.nn.ConvTranspose2d(64, 32, 4)
    # Same distribution: the bounds of the uniform draws agree within sampling error.
    assert abs(ours.weight.abs().max() - theirs.weight.abs().max()) < 0.01
    assert abs(ours.bias.abs().max() - theirs.bias.abs().max()) < 0.02


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: conv_transpose2d(torch.randn(1, 3, 4, 4), torch.randn(3, 2, 3, 3), groups=2), "divisible by groups"),
        (lambda: conv_transpose2d(torch.randn(1, 2, 4, 4), torch.randn(2, 2, 3, 3), stride=2, output_padding=2),
         "output_padding"),
        (lambda: conv_transpose2d(torch.randn(2, 4, 4), torch.randn(2, 2, 3, 3)), "4D input"),
        (lambda: conv_transpose2d(torch.randn(1, 2, 4, 4), torch.randn(2, 2, 3)), "weight must be 4D"),
        (lambda: conv_transpose2d(torch.randn(1, 3, 4, 4), torch.randn(2, 2, 3, 3)), "weight.shape[0]"),
        (lambda: conv_transpose2d(torch.randn(1, 2, 4, 4), torch.randn(2, 2, 3, 3), stride=0), "stride"),
        (lambda: conv_transpose2d(torch.randn(1, 2, 1, 1), torch.randn(2, 2, 1, 1), padding=1), "too large"),
        (lambda: conv_transpose2d(torch.randn(1, 2, 4, 4), torch.randn(2, 2, 3, 3), torch.randn(3)), "bias"),
        (lambda: conv_transpose1d(torch.randn(1, 2, 4, 4), torch.randn(2, 2, 3)), "3D input"),
        (lambda: ConvTranspose2d(3, 4, 3, groups=2), "divisible by groups"),
        (lambda: ConvTranspose2d(4, 3, 3, groups=2), "out_channels"),
        (lambda: ConvTranspose2d(4, 4, 3, stride=2, output_padding=2), "output_padding"),
        (lambda: ConvTranspose2d(4, 4, 3, padding_mode="reflect"), "padding_mode"),
    ],
)
def test_invalid_configurations_raise_value_errors_naming_the_constraint(build, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build()


def test_teaching_versions_match_pytorch():
    torch.manual_seed(0)
    x, weight = torch.randn(3, 6), torch.randn(3, 2, 4)
    torch.testing.assert_close(
        convtranspose.conv_transpose1d_minimal(x, weight), F.conv_transpose1d(x[None], weight)[0]
    )
    x, weight = torch.randn(2, 3, 4, 5), torch.randn(3, 2, 3, 3)
    for stride, padding in [(1, 0), (2, 1), (3, 2)]:
        torch.testing.assert_close(
            convtranspose.conv_transpose2d_minimal(x, weight, stride, padding),
            F.conv_transpose2d(x, weight, stride=stride, padding=padding),
        )


def test_zero_stuffing_identity():
    torch.manual_seed(0)
    x, weight = torch.randn(2, 3, 4, 5), torch.randn(3, 4, 4, 3)
    for stride, padding in [(1, 0), (2, 1), (3, 2)]:
        torch.testing.assert_close(
            convtranspose.conv_transpose2d_via_conv(x, weight, stride, padding),
            F.conv_transpose2d(x, weight, stride=stride, padding=padding),
            atol=1e-5,
            rtol=1e-5,
        )
    assert convtranspose.zero_stuff(torch.ones(1, 1, 2, 2), 3).sum() == 4
    assert convtranspose.zero_stuff(torch.ones(1, 1, 2, 2), 3).shape == (1, 1, 4, 4)


def test_output_size_formula_matches_pytorch():
    for size in range(1, 6):
        for kernel in range(1, 5):
            for stride in range(1, 4):
                for padding in range(0, 3):
                    for dilation in (1, 2):
                        for output_padding in range(max(stride, dilation)):
                            predicted = convtranspose.conv_transpose_output_size(
                                size, kernel, stride, padding, output_padding, dilation
                            )
                            if predicted < 1:
                                continue
                            actual = F.conv_transpose1d(
                                torch.zeros(1, 1, size), torch.zeros(1, 1, kernel), None, stride, padding,
                                output_padding, 1, dilation,
                            ).shape[-1]
                            assert predicted == actual


def test_second_derivatives_flow_through_the_custom_backward():
    """The backward pass is built from differentiable operations, so penalties on gradients
    (as in WGAN-GP) can differentiate through it."""
    torch.manual_seed(0)
    x = torch.randn(2, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(2, 3, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda a, b: conv_transpose2d(a, b, None, 2, 1), (x, weight))
