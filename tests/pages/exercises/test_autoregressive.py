"""Chapter 7's checkers accept the package's solutions, name the typical mistakes, and say "not attempted"."""

import pytest
import torch
import torch.nn.functional as F

from vaegan.autoregressive.models import START_TOKEN, PixelCNN, PixelLSTM, causal_mask, sequence_nll
from vaegan.pages import exercises as checks


def test_the_checkers_accept_the_package_solutions(capsys):
    assert checks.check_causal_mask(causal_mask)
    assert checks.check_sequence_nll(sequence_nll)
    assert checks.check_pixel_lstm_sampling(PixelLSTM.sample)
    assert checks.check_pixelcnn_completion(PixelCNN.sample)
    assert capsys.readouterr().out.count("Correct.") == 4


@pytest.mark.parametrize(
    "checker, unwritten",
    [
        (checks.check_causal_mask, lambda kernel_size, mask_type: None),
        (checks.check_sequence_nll, lambda logits, pixels: None),
        (checks.check_pixel_lstm_sampling, lambda model, count, generator: None),
        (checks.check_pixelcnn_completion, lambda model, count, generator, given: None),
    ],
)
def test_an_unattempted_exercise_says_so_and_fails_quietly(checker, unwritten, capsys):
    verdict = checker(unwritten)
    assert not verdict
    output = capsys.readouterr().out
    assert "not attempted" in output and output.count("\n") == 1


def test_a_not_implemented_error_counts_as_not_attempted(capsys):
    def placeholder(model, count, generator):
        raise NotImplementedError

    assert not checks.check_pixel_lstm_sampling(placeholder)
    assert "not attempted" in capsys.readouterr().out


# --- the mask ---------------------------------------------------------------------------------------


def mask_with(kernel_size, mask_type, *, centre_in_a=False, centre_out_b=False, row_below=False):
    mask = causal_mask(kernel_size, mask_type).clone()
    centre = kernel_size // 2
    if centre_in_a and mask_type == "A":
        mask[centre, centre] = 1
    if centre_out_b and mask_type == "B":
        mask[centre, centre] = 0
    if row_below:
        mask[centre + 1:] = 1
    return mask


def test_the_mask_checker_names_its_mistakes():
    with pytest.raises(AssertionError, match="type A must hide the centre"):
        checks.check_causal_mask(lambda k, t: mask_with(k, t, centre_in_a=True))
    with pytest.raises(AssertionError, match="type B keeps the centre"):
        checks.check_causal_mask(lambda k, t: mask_with(k, t, centre_out_b=True))
    with pytest.raises(AssertionError, match="keeps the rows below the centre"):
        checks.check_causal_mask(lambda k, t: mask_with(k, t, row_below=True))
    with pytest.raises(AssertionError, match="upside down"):
        checks.check_causal_mask(lambda k, t: causal_mask(k, t).flip(0))
    with pytest.raises(AssertionError, match="differ"):  # not a known mistake: still refused
        checks.check_causal_mask(lambda k, t: torch.ones(k, k))


def test_the_mask_checker_accepts_a_boolean_mask_and_reports_a_crash():
    assert checks.check_causal_mask(lambda k, t: causal_mask(k, t).bool())
    with pytest.raises(AssertionError, match="causal_mask: your code raised ZeroDivisionError"):
        checks.check_causal_mask(lambda k, t: 1 / 0)


# --- the likelihood of a sequence -------------------------------------------------------------------


def test_the_likelihood_checker_names_its_mistakes():
    def per_position(logits, pixels):
        return F.binary_cross_entropy_with_logits(logits, pixels, reduction="none")

    with pytest.raises(AssertionError, match="the mean over positions where the sum belongs"):
        checks.check_sequence_nll(lambda logits, pixels: per_position(logits, pixels).mean(1))
    with pytest.raises(AssertionError, match="the sign is flipped"):
        checks.check_sequence_nll(lambda logits, pixels: -per_position(logits, pixels).sum(1))
    with pytest.raises(AssertionError, match="probabilities were passed where logits belong"):
        checks.check_sequence_nll(lambda logits, pixels: per_position(torch.sigmoid(logits), pixels).sum(1))
    with pytest.raises(AssertionError, match="the arguments are swapped"):
        checks.check_sequence_nll(lambda logits, pixels: per_position(pixels, logits).sum(1))
    with pytest.raises(AssertionError, match="one number for the whole batch"):
        checks.check_sequence_nll(lambda logits, pixels: per_position(logits, pixels).sum())
    with pytest.raises(AssertionError, match="you summed over the batch"):
        checks.check_sequence_nll(lambda logits, pixels: per_position(logits, pixels).sum(0))


# --- the pixel LSTM's sampling loop -------------------------------------------------------------------


@torch.no_grad()
def lstm_sampler(model, count, generator, *, carry_state=True, feed="pixel", start=START_TOKEN, use_generator=True, squash=True):
    """A learner's loop, right by default, with one mistake switched on by a keyword."""
    _, height, width = model.image_shape
    pixels = torch.zeros(count, height * width)
    token, state = torch.full((count, 1), start, dtype=torch.long), None
    for index in range(height * width):
        output, new_state = model.rnn(model.embed(token), state)
        state = new_state if carry_state else None
        logit = model.head(output[:, -1]).squeeze(-1)
        probability = torch.sigmoid(logit) if squash else logit
        pixel = torch.bernoulli(probability, generator=generator if use_generator else None)
        pixels[:, index] = pixel
        token = {"pixel": pixel.long(), "rounded": (probability > 0.5).long(), "float": probability}[feed].unsqueeze(1)
    return pixels.view(count, 1, height, width)


def test_a_hand_written_lstm_loop_passes():
    assert checks.check_pixel_lstm_sampling(lstm_sampler)


def test_the_lstm_sampling_checker_names_its_mistakes():
    with pytest.raises(AssertionError, match="the LSTM state is not carried"):
        checks.check_pixel_lstm_sampling(lambda m, n, g: lstm_sampler(m, n, g, carry_state=False))
    with pytest.raises(AssertionError, match="the rounded probability"):
        checks.check_pixel_lstm_sampling(lambda m, n, g: lstm_sampler(m, n, g, feed="rounded"))
    with pytest.raises(AssertionError, match="feed back the pixel you drew, not its probability"):
        checks.check_pixel_lstm_sampling(lambda m, n, g: lstm_sampler(m, n, g, feed="float"))
    with pytest.raises(AssertionError, match="the first input must be the start token"):
        checks.check_pixel_lstm_sampling(lambda m, n, g: lstm_sampler(m, n, g, start=0))
    with pytest.raises(AssertionError, match="the generator was not used"):
        checks.check_pixel_lstm_sampling(lambda m, n, g: lstm_sampler(m, n, g, use_generator=False))


def test_the_lstm_sampling_checker_refuses_probabilities_and_logits():
    def returns_probabilities(model, count, generator):
        images = lstm_sampler(model, count, generator)
        return torch.sigmoid(model(images))

    with pytest.raises(AssertionError, match="not binary"):
        checks.check_pixel_lstm_sampling(returns_probabilities)
    with pytest.raises(AssertionError, match="pass torch.sigmoid"):
        checks.check_pixel_lstm_sampling(lambda m, n, g: lstm_sampler(m, n, g, squash=False))


# --- the PixelCNN's completion ----------------------------------------------------------------------


@torch.no_grad()
def pixelcnn_sampler(model, count, generator, given, *, keep_given=True, one_pass=False):
    """A learner's completion with whole-image forward passes, right by default."""
    _, height, width = model.image_shape
    images = torch.zeros(count, 1, height, width)
    if keep_given:
        images.view(count, -1)[:, : given.shape[1]] = given
    start = given.shape[1] if keep_given else 0
    logits = model(images) if one_pass else None
    for index in range(start, height * width):
        row, column = divmod(index, width)
        current = logits if one_pass else model(images)
        probability = torch.sigmoid(current[:, 0, row, column])
        images[:, 0, row, column] = torch.bernoulli(probability, generator=generator)
    return images


def test_a_hand_written_completion_with_whole_image_passes_passes():
    assert checks.check_pixelcnn_completion(pixelcnn_sampler)


def test_the_completion_checker_names_its_mistakes():
    with pytest.raises(AssertionError, match="the given pixels were not kept"):
        checks.check_pixelcnn_completion(lambda m, n, g, given: pixelcnn_sampler(m, n, g, given, keep_given=False))
    with pytest.raises(AssertionError, match="every pixel needs its own pass"):
        checks.check_pixelcnn_completion(lambda m, n, g, given: pixelcnn_sampler(m, n, g, given, one_pass=True))

    @torch.no_grad()
    def column_by_column(model, count, generator, given):
        _, height, width = model.image_shape
        images = torch.zeros(count, 1, height, width)
        images.view(count, -1)[:, : given.shape[1]] = given
        for column in range(width):
            for row in range(height):
                if row * width + column >= given.shape[1]:
                    probability = torch.sigmoid(model(images)[:, 0, row, column])
                    images[:, 0, row, column] = torch.bernoulli(probability, generator=generator)
        return images

    with pytest.raises(AssertionError, match="drawn column by column"):
        checks.check_pixelcnn_completion(column_by_column)

    def no_sigmoid(model, count, generator, given):
        images = torch.zeros(count, *model.image_shape)
        images.view(count, -1)[:, : given.shape[1]] = given
        return torch.bernoulli(model(images), generator=generator)

    with pytest.raises(AssertionError, match="pass torch.sigmoid"):
        checks.check_pixelcnn_completion(no_sigmoid)


def test_a_sampler_that_assumes_28_by_28_is_told_to_read_the_image_shape():
    with pytest.raises(AssertionError, match="model.image_shape"):
        checks.check_pixel_lstm_sampling(lambda model, count, generator: torch.zeros(count, 1, 28, 28))
