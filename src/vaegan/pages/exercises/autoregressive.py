"""Chapter 7's checkers: autoregressive models (the likelihood, the mask, and the two
samplers)."""

from __future__ import annotations

import functools
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from vaegan.autoregressive.models import START_TOKEN, MaskedConv2d, PixelCNN, PixelLSTM
from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted

__all__ = ["check_causal_mask", "check_sequence_nll", "check_pixel_lstm_sampling", "check_pixelcnn_completion"]


def _seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _one_thread(checker: Callable) -> Callable:
    """Run a sampling checker on one thread: its models are tiny, and on a shared CPU
    several threads make each of their hundreds of small steps slower, not faster."""

    @functools.wraps(checker)
    def wrapped(*arguments, **keywords):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return checker(*arguments, **keywords)
        finally:
            torch.set_num_threads(before)

    return wrapped


# ---------------------------------------------------------------------------
# The mask
# ---------------------------------------------------------------------------


def _mask_mistakes(kernel_size: int, mask_type: str) -> dict[str, Tensor]:
    """What the typical wrong masks give, each named by its mistake."""
    centre = kernel_size // 2
    right = MaskedConv2d(mask_type, 1, 1, kernel_size).mask[0, 0]
    other = MaskedConv2d("B" if mask_type == "A" else "A", 1, 1, kernel_size).mask[0, 0]
    below = right.clone()
    below[centre + 1:] = 1
    mistakes = {}
    if mask_type == "A":
        mistakes["type A must hide the centre: it is the pixel being predicted, and the first layer reads the pixels"] = other
    else:
        mistakes["type B keeps the centre: after the first layer the centre holds features of earlier pixels only"] = other
    mistakes["the mask keeps the rows below the centre: they hold later pixels, which the prediction must not see"] = below
    mistakes["the mask is upside down: it must keep the rows above the centre, not the rows below"] = right.flip(0)
    mistakes["the mask keeps the right of the centre row instead of its left"] = right.flip(1)
    mistakes["the mask is transposed: raster order is row by row, so keep the rows above and the left of the centre row"] = right.T
    return mistakes


def check_causal_mask(function: Callable) -> Verdict:
    """``function(kernel_size, mask_type)`` must give the ``(k, k)`` mask of a PixelCNN
    layer: 1 where the kernel may look (rows above the centre, and the centre row left
    of the centre; type "B" also the centre itself), 0 elsewhere. Compared with
    :class:`vaegan.autoregressive.models.MaskedConv2d`."""
    for kernel_size in (3, 5, 7, 1):
        for mask_type in ("A", "B"):
            result = call("causal_mask", function, kernel_size, mask_type)
            if unattempted(result):
                return not_attempted("causal_mask")
            if isinstance(result, Tensor):
                result = result.detach().float()
            expected = MaskedConv2d(mask_type, 1, 1, kernel_size).mask[0, 0]
            compare("causal_mask", f"kernel {kernel_size}, type {mask_type}", result, expected,
                    _mask_mistakes(kernel_size, mask_type), tolerance=0)
    return correct("causal_mask: right for kernels 1, 3, 5, 7 and both types. Correct.")


# ---------------------------------------------------------------------------
# The likelihood of a sequence
# ---------------------------------------------------------------------------


def check_sequence_nll(function: Callable, seed: int = 0) -> Verdict:
    """``function(logits (b, n), pixels (b, n))`` must give each sequence's negative
    log-likelihood in nats, ``(b,)``: minus the sum over positions of log p(pixel |
    logit)."""
    generator = _seeded(seed)
    logits = torch.randn(16, 784, generator=generator, dtype=torch.float64) * 4
    pixels = torch.bernoulli(torch.full((16, 784), 0.3, dtype=torch.float64), generator=generator)
    result = call("sequence_nll", function, logits, pixels)
    if unattempted(result):
        return not_attempted("sequence_nll")
    per_position = F.binary_cross_entropy_with_logits(logits, pixels, reduction="none")
    expected = per_position.sum(1)
    if isinstance(result, Tensor) and tuple(result.shape) != (16,):
        if result.numel() == 1:
            raise AssertionError("sequence_nll: one number for the whole batch; return one per sequence, shape (16,): "
                                 "sum over the positions, not over the sequences too")
        if tuple(result.shape) == (784,):
            raise AssertionError("sequence_nll: shape (784,): you summed over the batch; sum over the positions (dim 1) instead")
        raise AssertionError(f"sequence_nll: shape {tuple(result.shape)}, expected (16,): one number per sequence, summed over positions")
    with torch.no_grad():
        mistakes = {
            "the mean over positions where the sum belongs (nats per pixel, not per sequence): "
            "the log-likelihood of a sequence is the sum of its log-conditionals": per_position.mean(1),
            "the sign is flipped: that is the log-likelihood; the negative log-likelihood is positive": -expected,
            "probabilities were passed where logits belong: binary_cross_entropy_with_logits applies the sigmoid itself":
                F.binary_cross_entropy_with_logits(torch.sigmoid(logits), pixels, reduction="none").sum(1),
            "the arguments are swapped: binary_cross_entropy_with_logits(logits, pixels), the logits first":
                F.binary_cross_entropy_with_logits(pixels, logits, reduction="none").sum(1),
            "only the pixels that are 1 count: a 0 pixel costs -log(1 - sigmoid(logit))": -(pixels * F.logsigmoid(logits)).sum(1),
        }
    compare("sequence_nll", "16 random sequences of 784 pixels", result, expected, mistakes)
    return correct("sequence_nll: matches the summed binary cross-entropy on 16 sequences. Correct.")


# ---------------------------------------------------------------------------
# The two samplers
# ---------------------------------------------------------------------------


def _call_sampler(name: str, function: Callable, *arguments):
    """Call a learner's sampler; the two errors a typical mistake raises are named."""
    try:
        return call(name, function, *arguments)
    except AssertionError as error:
        cause = str(error.__cause__ or "")
        if "p_in" in cause or "bernoulli" in cause.lower():
            raise AssertionError(
                f"{name}: torch.bernoulli takes a probability in [0, 1]: pass torch.sigmoid(logit), not the logit ({error})"
            ) from error
        if "indices" in cause or "Embedding" in cause or "scalar types: Long" in cause:
            raise AssertionError(
                f"{name}: the embedding reads tokens (0, 1, or the start token {START_TOKEN}) as a long tensor: feed back "
                f"the pixel you drew, not its probability ({error})"
            ) from error
        raise


def _check_sample_properties(name: str, got, shape: tuple, generator: torch.Generator, state: Tensor) -> None:
    if not isinstance(got, Tensor):
        raise AssertionError(f"{name} should return a tensor, got {type(got).__name__}")
    if tuple(got.shape) != shape:
        raise AssertionError(f"{name}: shape {tuple(got.shape)}, expected {shape}: (count, 1, height, width), with "
                             "(1, height, width) = model.image_shape (the checker's models are smaller than 28x28)")
    if torch.equal(generator.get_state(), state):
        raise AssertionError(f"{name}: the generator was not used: draw every pixel with "
                             "torch.bernoulli(probability, generator=generator), so that a seed fixes the samples")
    if not bool(((got == 0) | (got == 1)).all()):
        raise AssertionError(f"{name}: the result is not binary: return the pixels you drew (0 or 1), not their probabilities")


def _checked_lstm(seed: int, hidden_size: int = 12, image_shape=(1, 5, 6)) -> PixelLSTM:
    """A small untrained pixel LSTM with large weights: its conditionals are far from a
    fair coin and depend strongly on the pixels before, so that every mistake changes
    the draws."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = PixelLSTM(hidden_size, image_shape)  # no dropout or batch norm: its mode does not matter
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.mul_(3.0)
    return model


@torch.no_grad()
def _lstm_draws(model: PixelLSTM, count: int, generator: torch.Generator, *, carry_state: bool = True,
                feed: str = "pixel", start: int = START_TOKEN) -> Tensor:
    """The LSTM's sampling loop, right (the defaults) or with one typical mistake."""
    _, height, width = model.image_shape
    pixels = torch.zeros(count, height * width)
    token, state = torch.full((count, 1), start, dtype=torch.long), None
    for index in range(height * width):
        output, state = model.rnn(model.embed(token), state if carry_state else None)
        probability = torch.sigmoid(model.head(output[:, -1]).squeeze(-1))
        pixel = torch.bernoulli(probability, generator=generator)
        pixels[:, index] = pixel
        fed = {"pixel": pixel, "rounded": probability.round(), "truncated": probability}[feed]
        token = fed.long().unsqueeze(1)
    return pixels.view(count, 1, height, width)


@_one_thread
def check_pixel_lstm_sampling(function: Callable, seed: int = 0) -> Verdict:
    """``function(model, count, generator)`` must draw ``count`` images
    ``(count, 1, h, w)`` from a :class:`~vaegan.autoregressive.models.PixelLSTM` pixel
    by pixel, as ``model.sample(count, generator)`` does: start from the start token,
    carry the LSTM state, draw each pixel with
    ``torch.bernoulli(sigmoid(logit), generator=generator)`` and feed it back. Compared
    draw for draw with the package's sampler under the same seeds, on small models with
    strong dependencies."""
    name = "pixel LSTM sampling"
    for case, (model_seed, count) in enumerate([(seed, 6), (seed + 1, 4)]):
        model = _checked_lstm(model_seed)
        shape = (count, *model.image_shape)
        generator = _seeded(100 + case)
        state = generator.get_state()
        got = _call_sampler(name, function, model, count, generator)
        if unattempted(got):
            return not_attempted(name)
        _check_sample_properties(name, got, shape, generator, state)
        expected = model.sample(count, _seeded(100 + case))
        flat = expected.flatten(1)
        mistakes = {
            "the LSTM state is not carried: pass the state returned by the previous step into the next one, "
            "or each pixel sees only the one before it": _lstm_draws(model, count, _seeded(100 + case), carry_state=False),
            "the fed-back token is the rounded probability (the most likely pixel), not the pixel you drew":
                _lstm_draws(model, count, _seeded(100 + case), feed="rounded"),
            "the fed-back token is the probability turned into an integer (always 0), not the pixel you drew":
                _lstm_draws(model, count, _seeded(100 + case), feed="truncated"),
            f"off by one: the first input must be the start token ({START_TOKEN}), not a pixel value":
                _lstm_draws(model, count, _seeded(100 + case), start=0),
            "off by one: the image is shifted by a pixel; pixel i is drawn from the output after reading pixel i - 1 "
            "(the start token for pixel 0)": torch.cat([torch.zeros(count, 1), flat[:, :-1]], 1).view(shape),
        }
        compare(name, f"model {case}, {count} samples of {model.image_shape[1]}x{model.image_shape[2]}", got, expected, mistakes, tolerance=0)
    return correct(f"{name}: draw for draw the package's sampler on two models under the same seeds. Correct.")


def _checked_pixelcnn(seed: int, image_shape=(1, 6, 7)) -> PixelCNN:
    """A small untrained PixelCNN whose logits are large, so that each draw moves the
    next ones."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = PixelCNN(channels=8, layers=2, image_shape=image_shape)  # no dropout or batch norm
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.mul_(2.0)
    return model


class _PassCounter:
    """Counts forward passes through a PixelCNN (its first layer runs once per pass)."""

    def __init__(self, model: PixelCNN) -> None:
        self.passes = 0
        self.handle = model.first.register_forward_hook(self._count)

    def _count(self, *_):
        self.passes += 1

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.handle.remove()


@torch.no_grad()
def _pixelcnn_columnwise(model: PixelCNN, count: int, generator: torch.Generator, given: Tensor) -> Tensor:
    """The completion loop with one mistake: the pixels after the given ones drawn
    column by column."""
    _, height, width = model.image_shape
    images = torch.zeros(count, 1, height, width)
    images.view(count, -1)[:, : given.shape[1]] = given
    for column in range(width):
        for row in range(height):
            if row * width + column >= given.shape[1]:
                probability = torch.sigmoid(model(images)[:, 0, row, column])
                images[:, 0, row, column] = torch.bernoulli(probability, generator=generator)
    return images


@_one_thread
def check_pixelcnn_completion(function: Callable, seed: int = 0) -> Verdict:
    """``function(model, count, generator, given)`` must complete ``count`` images with
    a :class:`~vaegan.autoregressive.models.PixelCNN` as
    ``model.sample(count, generator, given)`` does: keep the ``given`` first pixels
    ``(count, k)`` in raster order, then draw each later pixel, in raster order, from
    ``torch.bernoulli(sigmoid(logit), generator=generator)``, the logit from a forward
    pass over the image drawn so far. Compared draw for draw under the same seeds."""
    name = "PixelCNN completion"
    for case, (model_seed, count, known) in enumerate([(seed, 5, 17), (seed + 1, 4, 21)]):
        model = _checked_pixelcnn(model_seed)
        _, height, width = model.image_shape
        shape = (count, 1, height, width)
        given = torch.bernoulli(torch.full((count, known), 0.5), generator=_seeded(50 + case))
        generator = _seeded(200 + case)
        state = generator.get_state()
        with _PassCounter(model) as counter:
            got = _call_sampler(name, function, model, count, generator, given)
        if unattempted(got):
            return not_attempted(name)
        _check_sample_properties(name, got, shape, generator, state)
        if not torch.equal(got.flatten(1)[:, :known].float(), given):
            raise AssertionError(f"{name}: the given pixels were not kept: copy them into the image and draw only the "
                                 f"pixels after them (case {case}: {known} given)")
        to_draw = height * width - known
        if counter.passes < to_draw:
            raise AssertionError(
                f"{name}: {to_draw} pixels drawn from {counter.passes} forward pass{'es' * (counter.passes != 1)}: each pixel's "
                "conditional depends on the pixels drawn before it, so every pixel needs its own pass over the image so far"
            )
        expected = model.sample(count, _seeded(200 + case), given=given)
        mistakes = {
            "the pixels were drawn column by column; raster order is left to right along a row, rows top to bottom, "
            "and the masks look up and to the left": _pixelcnn_columnwise(model, count, _seeded(200 + case), given),
        }
        compare(name, f"model {case}, {count} images of {height}x{width}, {known} pixels given", got, expected, mistakes, tolerance=0)
    return correct(f"{name}: draw for draw the package's sampler on two models under the same seeds. Correct.")
