"""Checkpoints: plain state_dicts plus JSON, weights_only loading, clear errors."""

import json

import pytest
import torch

from vaegan.checkpoints import CheckpointError, load_checkpoint, read_metadata, save_checkpoint
from vaegan.models import VAE, Autoencoder


def test_round_trip_rebuilds_the_model_and_keeps_metadata(tmp_path):
    torch.manual_seed(0)
    model = VAE(latent_size=3, hidden_size=16)
    path = save_checkpoint(model, tmp_path / "vae", metadata={"steps": 7, "metrics": {"mse": 0.1}})
    assert path.suffix == ".pt" and path.with_suffix(".json").exists()
    state = torch.load(path, weights_only=True)  # a plain state_dict: no pickled code
    assert set(state) == set(model.state_dict())
    loaded, record = load_checkpoint(tmp_path / "vae.pt")
    assert record["steps"] == 7 and record["model"]["class"] == "VAE" and "torch" in record["versions"]
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name])


def test_half_precision_halves_the_file_and_loads_as_float32(tmp_path):
    model = Autoencoder()
    full = save_checkpoint(model, tmp_path / "full")
    half = save_checkpoint(model, tmp_path / "half", half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded, record = load_checkpoint(half)
    assert record["stored_dtype"] == "float16"
    weight = loaded.encoder[0].weight
    assert weight.dtype == torch.float32
    torch.testing.assert_close(weight, model.encoder[0].weight, atol=1e-3, rtol=1e-3)


def test_checkpoint_from_another_architecture_is_refused_by_name(tmp_path):
    save_checkpoint(VAE(latent_size=3, hidden_size=16), tmp_path / "vae")
    with pytest.raises(CheckpointError, match=r"holds a VAE\(latent_size=3.*but the model given is a Autoencoder"):
        load_checkpoint(tmp_path / "vae", Autoencoder(latent_size=3, hidden_size=16))
    with pytest.raises(CheckpointError, match="latent_size=5"):
        load_checkpoint(tmp_path / "vae", VAE(latent_size=5, hidden_size=16))


def test_weights_that_do_not_fit_the_metadata_are_refused(tmp_path):
    save_checkpoint(VAE(latent_size=3, hidden_size=16), tmp_path / "a")
    save_checkpoint(VAE(latent_size=4, hidden_size=16), tmp_path / "b")
    (tmp_path / "a.pt").write_bytes((tmp_path / "b.pt").read_bytes())
    with pytest.raises(CheckpointError, match="differ in name or shape"):
        load_checkpoint(tmp_path / "a")


def test_missing_and_damaged_files(tmp_path):
    with pytest.raises(CheckpointError, match="no metadata file"):
        load_checkpoint(tmp_path / "nothing")
    path = save_checkpoint(Autoencoder(), tmp_path / "ae")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(path)
    (tmp_path / "ae.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        read_metadata(tmp_path / "ae")
    (tmp_path / "ae.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(CheckpointError, match="format"):
        read_metadata(tmp_path / "ae")


def test_only_models_with_a_config_can_be_saved(tmp_path):
    with pytest.raises(TypeError, match="no `config`"):
        save_checkpoint(torch.nn.Linear(2, 2), tmp_path / "linear")


def test_pretrained_checkpoint_must_match_the_arguments_asked_for():
    from vaegan.checkpoints import argument_differences, load_pretrained
    from vaegan.recipes import recipe

    asked = recipe("vae", "book", beta_kl=4.0, device="cpu", progress=False)  # bookkeeping fields may differ
    model, record = load_pretrained("vae_beta_4", expected_args=asked)
    assert argument_differences(record, asked) == {} and record["args"]["beta_kl"] == 4.0
    assert record["command"].startswith("python -m vaegan train vae --profile book --set beta_kl=4")
    with pytest.raises(CheckpointError, match=r"beta_kl: stored 4.0, expected 1.0"):
        load_pretrained("vae_beta_4", expected_args=recipe("vae", "book", beta_kl=1.0))
    with pytest.raises(CheckpointError, match="epochs: stored 2, expected 10"):
        load_pretrained("vae_beta_4", expected_args=recipe("vae", "full", beta_kl=4.0))
