"""vaegan.autoregressive.evaluate: completion and the committed models with their samples."""

import pytest
import torch

from vaegan.autoregressive.models import PixelCNN
from vaegan.core.checkpoints import load_samples


def test_committed_autoregressive_models_load_with_their_recipe_and_samples():
    from vaegan.core.checkpoints import PRETRAINED
    from vaegan.recipes import recipe
    from vaegan.registry import load_pretrained

    for name in ("pixel_lstm", "pixelcnn"):
        model, record = load_pretrained(name, expected_args=recipe(name, "book"))
        samples = load_samples(PRETRAINED / name)
        assert samples["images"].shape == (1000, 1, 28, 28) and samples["chunk"] == 100 and samples["seed"] == 0
        assert record["metrics"]["test_images"] == 10_000 and record["metrics"]["test_nll"] < 150
    # the LSTM redraws its first stored chunk in about a second: the stored samples are this model's
    lstm, _ = load_pretrained("pixel_lstm")
    stored = load_samples(PRETRAINED / "pixel_lstm")["images"][:100]
    assert (lstm.sample_images(100, seed=0) == stored).flatten(1).all(1).float().mean() > 0.9


def binary_images(count, seed=0):
    return torch.bernoulli(torch.full((count, 1, 28, 28), 0.3), generator=torch.Generator().manual_seed(seed))


def test_complete_keeps_the_given_rows_and_completion_rows_lays_them_out():
    from vaegan.autoregressive.evaluate import complete, completion_rows

    model, digits = PixelCNN(channels=8, layers=1).eval(), binary_images(2, seed=4)
    completed = complete(model, digits, given_rows=20, per_digit=3, seed=1)
    assert completed.shape == (2, 3, 1, 28, 28)
    assert torch.equal(completed[:, :, :, :20], digits.unsqueeze(1).expand(-1, 3, -1, -1, -1)[:, :, :, :20])
    assert torch.equal(completed, complete(model, digits, given_rows=20, per_digit=3, seed=1))
    rows = completion_rows(digits, completed, 20)
    assert rows.shape == (2, 5, 1, 28, 28) and torch.equal(rows[:, -1], digits)
    assert (rows[:, 0, :, 20:] == 0.5).all() and torch.equal(rows[:, 0, :, :20], digits[:, :, :20])
    with pytest.raises(ValueError, match="given_rows must be in"):
        complete(model, digits, given_rows=29, per_digit=1)
