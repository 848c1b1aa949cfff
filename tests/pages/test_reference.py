"""vaegan.pages.reference: a run loaded or trained on the page, the same result either way."""

import dataclasses

import pytest
import torch

from vaegan.core.checkpoints import PRETRAINED, CheckpointError
from vaegan.gans.train import GANTrainer
from vaegan.pages.reference import Run, load_or_train, load_reference_run
from vaegan.recipes import recipe, reference_args


def test_a_run_trained_here_and_the_same_run_loaded_give_the_same_model_and_record(tmp_path, data_root):
    args = dataclasses.replace(recipe("mlp_gan", "smoke"), train_limit=256, log_every=2, progress=False)
    saved = GANTrainer(args)
    saved.train()
    saved.save(tmp_path / "mlp_gan", metrics={"train_seconds": 1.0}, extra={"command": "python -m vaegan train mlp_gan"},
               discriminator=True, timeline=4)

    loaded = load_or_train("mlp_gan", args, train=False, folder=tmp_path, discriminator=True, timeline=4)
    trained = load_or_train("mlp_gan", args, train=True, discriminator=True, timeline=4)
    assert not loaded.trained_here and trained.trained_here and loaded.trainer is None
    assert torch.equal(loaded.model.sample_images(8, seed=1), trained.model.sample_images(8, seed=1))
    assert torch.equal(loaded.discriminator(torch.zeros(1, 1, 28, 28)), trained.discriminator(torch.zeros(1, 1, 28, 28)))
    for key in ("args", "steps", "scale", "parameters"):
        assert loaded.record[key] == trained.record[key], key
    assert torch.equal(loaded.timeline["steps"], trained.timeline["steps"])
    assert torch.equal(loaded.timeline["samples"], trained.timeline["samples"])  # both in the stored form
    assert loaded.timeline["history"] == trained.timeline["history"]
    assert "made by `python -m vaegan train mlp_gan`" in loaded.describe() and "trained on this page" in trained.describe()


def test_the_committed_autoregressive_run_loads_with_its_samples_and_history():
    run = load_or_train("pixel_lstm", recipe("pixel_lstm", "book"), train=False, samples=(1000, 100))
    assert run.samples["images"].shape == (1000, 1, 28, 28) and run.samples["chunk"] == 100
    assert len(run.record["history"]["nll"]) == run.record["steps"]
    assert (PRETRAINED / "pixel_lstm.json").is_file()


def test_a_reference_run_is_always_loaded_with_its_reference_arguments_and_side_files():
    run = load_reference_run("pixelcnn_reference", samples=True)
    assert not run.trained_here and run.args == reference_args("pixelcnn_reference", progress=False)
    assert run.samples["images"].shape[1:] == (1, 28, 28) and run.record["command"].startswith("python -m vaegan train pixelcnn ")
    timeline = load_reference_run("dcgan_mnist_reference", timeline=36).timeline
    assert timeline["samples"].shape[1] == 36


def test_a_missing_or_unknown_reference_names_the_command_that_makes_it(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="unknown reference 'pixelcnn'"):
        load_reference_run("pixelcnn")
    monkeypatch.setattr("vaegan.pages.reference.PRETRAINED", tmp_path)
    monkeypatch.setattr("vaegan.registry.PRETRAINED", tmp_path)
    with pytest.raises(CheckpointError, match=r"python -m vaegan train dcgan_mnist --save-as dcgan_mnist_reference"):
        load_reference_run("dcgan_mnist_reference")


def test_a_runs_epoch_means_split_its_stored_losses_by_epoch():
    run = load_reference_run("pixelcnn_reference")
    means = run.epoch_means("nll")
    assert len(means) == run.args.epochs and means[-1] < means[0]
    per_epoch = run.record["steps"] // run.args.epochs
    assert means[-1] == sum(run.record["training_curve"]["nll"][-per_epoch:]) / per_epoch
    gan = load_reference_run("dcgan_mnist_reference")
    assert len(gan.epoch_means("d_loss")) == gan.args.epochs


def test_epoch_means_fall_back_to_the_history_where_the_curve_lacks_the_loss():
    from types import SimpleNamespace

    # a record from before training curves stored every loss: the history has it
    record = {"training_curve": {"step": [1, 2, 3, 4]}, "history": {"nll": [4.0, 2.0, 3.0, 1.0]}}
    run = Run("old", SimpleNamespace(epochs=2), None, record, False)
    assert run.epoch_means("nll") == [3.0, 2.0]
    with pytest.raises(ValueError, match="recorded no 'bce'"):
        run.epoch_means("bce")


def test_epoch_means_skip_missing_values_and_refuse_a_curve_that_does_not_fit():
    import math
    from types import SimpleNamespace

    record = {"training_curve": {"d_loss": [1.0, 2.0, 3.0, 5.0], "g_loss": [math.nan, 1.0, math.nan, 3.0]}}
    run = Run("toy", SimpleNamespace(epochs=2), None, record, False)
    assert run.epoch_means("d_loss") == [1.5, 4.0]
    assert run.epoch_means("g_loss") == [1.0, 3.0]  # a critic-only step has no generator loss
    with pytest.raises(ValueError, match="no 'nll'.*d_loss, g_loss"):
        run.epoch_means("nll")
    with pytest.raises(ValueError, match="3 steps of 'd_loss', not a whole number of its 2 epochs"):
        Run("toy", SimpleNamespace(epochs=2), None, {"training_curve": {"d_loss": [1.0] * 3}}, False).epoch_means("d_loss")


def test_a_reference_whose_recipe_changed_is_refused_with_the_command_that_retrains_it(monkeypatch):
    recipe = reference_args("pixelcnn_reference")  # what the committed checkpoint was trained with
    changed = dataclasses.replace(recipe, epochs=99)
    monkeypatch.setattr("vaegan.registry.reference_args", lambda name, **extra: changed)
    with pytest.raises(CheckpointError, match=rf"epochs: stored {recipe.epochs}, expected 99.*retrain it with `python -m vaegan "
                                              r"train pixelcnn --save-as pixelcnn_reference .*--samples 1000 .*--overwrite`"):
        load_reference_run("pixelcnn_reference")


def test_epoch_means_read_a_gans_other_signals_from_its_timeline():
    from vaegan.pages.reference import Run

    run = Run("gan", type("Args", (), {"epochs": 2})(), None, {"training_curve": {"d_loss": [1.0, 1.0, 3.0, 3.0]}},
              False, timeline={"history": [{"d_real": value} for value in (0.2, 0.4, 0.8, 1.0)]})
    assert run.epoch_means("d_real") == pytest.approx([0.3, 0.9]) and run.epoch_means("d_loss") == [1.0, 3.0]
