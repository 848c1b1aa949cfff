"""vaegan.autoregressive.models: the masks hide every later pixel, sampling matches the forward pass."""

import math

import pytest
import torch
import torch.nn.functional as F

from vaegan.autoregressive.models import MaskedConv2d, PixelCNN, PixelLSTM, causal_mask, log_likelihood, sequence_nll


def later_pixels_change_nothing(model, positions=(0, 1, 27, 28, 300, 405, 783)) -> bool:
    """For each raster position i: randomise every pixel at or after i; the logits at positions <= i must not move."""
    torch.manual_seed(0)
    x = binary_images(2)
    with torch.no_grad():
        reference = model(x).flatten(1)
        for i in positions:
            changed = x.flatten(1).clone()
            changed[:, i:] = torch.bernoulli(torch.full_like(changed[:, i:], 0.5))
            logits = model(changed.view_as(x)).flatten(1)
            if not torch.allclose(logits[:, : i + 1], reference[:, : i + 1], atol=1e-6):
                return False
    return True


def binary_images(count, seed=0):
    return torch.bernoulli(torch.full((count, 1, 28, 28), 0.3), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("model", [PixelCNN(channels=16, layers=3), PixelLSTM(hidden_size=16)], ids=["pixelcnn", "lstm"])
def test_the_output_at_a_pixel_ignores_that_pixel_and_every_later_one(model):
    model.eval()
    assert later_pixels_change_nothing(model)
    # and it does see earlier pixels: flipping pixel 404 moves the logit of pixel 405 (its right neighbour)
    x = binary_images(1)
    flipped = x.flatten(1).clone()
    flipped[:, 404] = 1 - flipped[:, 404]
    with torch.no_grad():
        assert not torch.allclose(model(x).flatten(1)[:, 405], model(flipped.view_as(x)).flatten(1)[:, 405])


def test_a_type_b_first_layer_is_caught():
    leaky = PixelCNN(channels=16, layers=2)
    leaky.first = MaskedConv2d("B", 1, 16, 7)  # a pixel that sees itself: the test above must fail
    leaky.eval()
    assert not later_pixels_change_nothing(leaky)


def test_masks_have_the_textbook_shape():
    a, b = MaskedConv2d("A", 1, 1, 3).mask[0, 0], MaskedConv2d("B", 1, 1, 3).mask[0, 0]
    assert a.tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert b.tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="mask_type must be 'A' or 'B'"):
        MaskedConv2d("C", 1, 1, 3)
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        MaskedConv2d("A", 1, 1, 4)


def test_log_likelihood_is_the_summed_bernoulli_log_probability():
    model = PixelCNN(channels=8, layers=1).eval()
    x = binary_images(3)
    expected = -F.binary_cross_entropy_with_logits(model(x), x, reduction="none").flatten(1).sum(1)
    torch.testing.assert_close(log_likelihood(model, x, batch_size=2), expected)
    for parameter in model.head[-1].parameters():  # logits of zero: every pixel a fair coin
        torch.nn.init.zeros_(parameter)
    torch.testing.assert_close(log_likelihood(model, x), torch.full((3,), -784 * torch.log(torch.tensor(2.0)).item()))


def test_models_refuse_grey_images_and_wrong_shapes():
    for model in (PixelCNN(8, 1), PixelLSTM(8)):
        with pytest.raises(ValueError, match="binary images"):
            model(torch.rand(2, 1, 28, 28))
        with pytest.raises(ValueError, match=r"images of shape \(batch, 1, 28, 28\)"):
            model(torch.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match="one binary channel"):
        PixelCNN(8, 1, image_shape=(3, 28, 28))


@pytest.mark.parametrize("make", [lambda: PixelLSTM(hidden_size=16), lambda: PixelCNN(channels=8, layers=2)], ids=["lstm", "pixelcnn"])
def test_fast_sampling_matches_the_teacher_forced_forward(make):
    """The LSTM samples with a carried state, the PixelCNN through a window of rows: both must draw
    exactly what one full forward pass over the finished images says they should have."""
    torch.manual_seed(0)
    model = make().eval()
    images = model.sample(3, torch.Generator().manual_seed(5))
    assert images.shape == (3, 1, 28, 28) and set(images.unique().tolist()) <= {0.0, 1.0}
    # replay the draws with the probabilities of one full forward pass: the same generator gives the same pixels
    probabilities = torch.sigmoid(model(images)).flatten(1)
    replay, generator = torch.zeros(3, 784), torch.Generator().manual_seed(5)
    for index in range(784):
        replay[:, index] = torch.bernoulli(probabilities[:, index], generator=generator)
    assert torch.equal(replay, images.flatten(1))


@pytest.mark.parametrize("layers", [0, 1, 4])
def test_the_pixelcnn_window_is_exact_and_no_larger_than_needed(layers):
    """Logits from a window of `reach` rows above a pixel equal the full image's; one row fewer does not."""
    torch.manual_seed(0)
    model = PixelCNN(channels=8, layers=layers).eval()
    images = binary_images(2, seed=3)
    assert model.reach == 3 + layers
    with torch.no_grad():
        full = model(images)
        for row in range(model.reach, 28):
            exact = model.band_logits(images[:, :, row - model.reach:row + 1])[:, 0, -1]
            assert torch.allclose(exact, full[:, 0, row], atol=1e-5), row
        row = 20
        short = model.band_logits(images[:, :, row - model.reach + 1:row + 1])[:, 0, -1]
        assert not torch.allclose(short, full[:, 0, row], atol=1e-4)


@pytest.mark.parametrize("model", [PixelCNN(channels=8, layers=1), PixelLSTM(hidden_size=8)], ids=["pixelcnn", "lstm"])
def test_completion_keeps_the_given_pixels_and_is_reproducible(model):
    model.eval()
    top = binary_images(2).flatten(1)[:, :770]  # all but the last 14 pixels: a quick completion
    first = model.sample(2, torch.Generator().manual_seed(1), given=top)
    again = model.sample(2, torch.Generator().manual_seed(1), given=top)
    assert torch.equal(first, again) and torch.equal(first.flatten(1)[:, :770], top)
    with pytest.raises(ValueError, match=r"given must be \(count, k\)"):
        model.sample(3, given=top)


def test_causal_mask_is_the_layers_mask_and_refuses_bad_arguments():
    assert causal_mask(3, "A").tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert causal_mask(1, "A").tolist() == [[0]] and causal_mask(1, "B").tolist() == [[1]]
    for kernel_size in (1, 3, 5, 7):
        for mask_type in "AB":
            layer = MaskedConv2d(mask_type, 2, 3, kernel_size)
            assert torch.equal(layer.mask, causal_mask(kernel_size, mask_type).expand(3, 2, kernel_size, kernel_size))
    with pytest.raises(ValueError, match="mask_type must be 'A' or 'B'"):
        causal_mask(3, "a")
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        causal_mask(2, "B")


def test_sequence_nll_sums_the_binary_cross_entropy_per_sequence():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(4, 10, generator=generator, dtype=torch.float64)
    pixels = torch.bernoulli(torch.full((4, 10), 0.5, dtype=torch.float64), generator=generator)
    by_hand = -(pixels * torch.sigmoid(logits).log() + (1 - pixels) * (1 - torch.sigmoid(logits)).log()).sum(1)
    torch.testing.assert_close(sequence_nll(logits, pixels), by_hand)
    # images (b, 1, h, w) give one number each too, and zero logits cost log 2 nats per pixel
    images = pixels.view(4, 1, 2, 5)
    torch.testing.assert_close(sequence_nll(torch.zeros_like(images), images), torch.full((4,), 10 * math.log(2), dtype=torch.float64))
