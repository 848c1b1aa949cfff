"""vaegan.core.checkpoints: checkpoints and their side files (timelines, sample sets) round-trip and refuse what does not fit."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from vaegan.autoencoders.models import VAE, Autoencoder
from vaegan.autoregressive.models import PixelLSTM
from vaegan.core.checkpoints import CheckpointError, load_timeline, pack_binary, read_metadata, save_checkpoint, unpack_binary
from vaegan.gans.train import GANArgs, GANTrainer
from vaegan.registry import load_checkpoint


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
    with pytest.raises(CheckpointError, match="SHA-256 differs"):  # the recorded digest catches it first
        load_checkpoint(tmp_path / "a")
    record = json.loads((tmp_path / "a.json").read_text())
    del record["weights_sha256"]  # a checkpoint from before digests were recorded: the shapes still catch it
    (tmp_path / "a.json").write_text(json.dumps(record))
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
    from vaegan.core.checkpoints import argument_differences
    from vaegan.recipes import recipe
    from vaegan.registry import load_pretrained

    asked = recipe("vae", "book", beta_kl=4.0, device="cpu", progress=False)  # bookkeeping fields may differ
    model, record = load_pretrained("vae_beta_4", expected_args=asked)
    assert argument_differences(record, asked) == {} and record["args"]["beta_kl"] == 4.0
    assert record["command"].startswith("python -m vaegan train vae --profile book --set beta_kl=4")
    with pytest.raises(CheckpointError, match=r"beta_kl: stored 4.0, expected 1.0"):
        load_pretrained("vae_beta_4", expected_args=recipe("vae", "book", beta_kl=1.0))
    with pytest.raises(CheckpointError, match="epochs: stored 2, expected 10"):
        load_pretrained("vae_beta_4", expected_args=recipe("vae", "full", beta_kl=4.0))


@pytest.fixture(scope="module")
def digits(data_root):
    from vaegan.core import data

    return data.mnist(train=True, scale="symmetric", limit=256)


def test_timeline_round_trip(digits, tmp_path):
    args = GANArgs(latent_size=8, hidden_channels=(8, 16), batch_size=32, epochs=1, log_every=3, sample_count=8, progress=False)
    trainer = GANTrainer(args, trainset=digits)
    trainer.train()
    trainer.save(tmp_path / "run", timeline=4)
    timeline = load_timeline(tmp_path / "run")
    assert timeline["steps"].tolist() == [snapshot["step"] for snapshot in trainer.snapshots] == [0, 3, 6, 8]
    assert timeline["samples"].shape == (4, 4, 1, 28, 28)
    torch.testing.assert_close(timeline["samples"][-1], trainer.snapshots[-1]["samples"][:4], atol=1 / 255, rtol=0)
    assert len(timeline["history"]) == trainer.step and timeline["history"][-1]["step"] == trainer.step
    assert timeline["history"][-1]["d_loss"] == pytest.approx(trainer.history[-1]["d_loss"])
    with pytest.raises(FileNotFoundError, match="timeline=k"):
        load_timeline(tmp_path / "other")


def binary_images(count, seed=0):
    return torch.bernoulli(torch.full((count, 1, 28, 28), 0.3), generator=torch.Generator().manual_seed(seed))


def test_samples_pack_eight_pixels_a_byte_and_chunks_redraw_alone():
    images = binary_images(5)
    packed = pack_binary(images)
    assert packed.dtype == torch.uint8 and packed.shape == (5, 98)
    assert torch.equal(unpack_binary(packed), images)
    with pytest.raises(ValueError, match="0s and 1s"):
        pack_binary(images * 0.5)
    model = PixelLSTM(hidden_size=8).eval()
    whole = model.sample_images(7, seed=3, chunk=3)  # chunks of 3, 3 and 1 with seeds 3, 4, 5
    assert torch.equal(whole[3:6], model.sample_images(3, seed=4, chunk=3))


# --- safe files: a name is a name, saves are atomic, a .pt beside the wrong .json is refused ---------------


def _tiny(seed: int = 0):
    torch.manual_seed(seed)
    return Autoencoder(latent_size=2, hidden_size=8)


def test_a_dotted_name_is_a_name_not_a_suffix(tmp_path):
    half, quarter = _tiny(1), _tiny(2)
    save_checkpoint(half, tmp_path / "x_0.5")
    save_checkpoint(quarter, tmp_path / "x_0.25")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["x_0.25.json", "x_0.25.pt", "x_0.5.json", "x_0.5.pt"]
    loaded, _ = load_checkpoint(tmp_path / "x_0.5")
    assert torch.equal(loaded.decoder[0].weight, half.decoder[0].weight)
    loaded, _ = load_checkpoint(tmp_path / "x_0.25.pt")
    assert torch.equal(loaded.decoder[0].weight, quarter.decoder[0].weight)


def test_a_committed_name_with_a_dot_is_not_taken_for_another_checkpoint():
    from vaegan.core.checkpoints import PRETRAINED

    with pytest.raises(CheckpointError, match=r"vae_beta_0\.01\.json"):
        load_checkpoint(PRETRAINED / "vae_beta_0.01")  # the file is vae_beta_0_01; vae_beta_0 must not be returned


@pytest.mark.parametrize("fault", [KeyboardInterrupt, OSError])
def test_an_interrupted_save_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch, fault):
    good = _tiny(1)
    save_checkpoint(good, tmp_path / "run")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    real_save = torch.save

    def interrupted(obj, file, *args, **kwargs):
        # write part of the file for real, then stop the way Ctrl-C or a full disk does
        real_save(obj, file, *args, **kwargs)
        with open(file, "r+b") as handle:
            handle.truncate(600)
        raise fault(28, "No space left on device") if fault is OSError else fault()

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(fault):
        save_checkpoint(_tiny(2), tmp_path / "run")
    monkeypatch.setattr(torch, "save", real_save)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before  # no partial file left either
    loaded, _ = load_checkpoint(tmp_path / "run")
    assert torch.equal(loaded.decoder[0].weight, good.decoder[0].weight)


def test_a_pt_beside_the_json_of_another_save_is_refused_naming_both(tmp_path):
    save_checkpoint(_tiny(1), tmp_path / "first")
    save_checkpoint(_tiny(2), tmp_path / "second")
    (tmp_path / "second.pt").replace(tmp_path / "first.pt")  # same architecture, other weights
    with pytest.raises(CheckpointError, match=r"first\.pt.*first\.json.*SHA-256"):
        load_checkpoint(tmp_path / "first")


def test_every_committed_checkpoint_records_the_sha256_of_its_weights():
    from vaegan.core.checkpoints import PRETRAINED, available_checkpoints, file_sha256

    for name in available_checkpoints():
        record = read_metadata(PRETRAINED / name)
        assert record["weights_sha256"] == file_sha256(PRETRAINED / f"{name}.pt"), name


def test_output_checks_refuse_a_file_a_committed_file_and_a_second_writer(tmp_path):
    from vaegan.core.checkpoints import PRETRAINED, check_not_committed, check_writable, output_lock

    (tmp_path / "a_file").write_text("")
    with pytest.raises(CheckpointError, match="is a file"):
        check_writable(tmp_path / "a_file")
    with pytest.raises(CheckpointError, match="cannot write"):
        check_writable(tmp_path / "a_file" / "inside")
    assert check_writable(tmp_path / "new" / "folder").is_dir()
    with pytest.raises(CheckpointError, match="--overwrite"):
        check_not_committed([PRETRAINED / "vae.pt"])
    check_not_committed([PRETRAINED / "vae.pt"], overwrite=True)
    check_not_committed([tmp_path / "vae.pt"])  # not committed: fine
    with output_lock(tmp_path / "run"):
        with pytest.raises(CheckpointError, match="another run is writing run"):
            with output_lock(tmp_path / "run"):
                pass
    (tmp_path / "run.lock").write_text("999999999")  # left by a process that is gone
    with output_lock(tmp_path / "run"):
        assert (tmp_path / "run.lock").read_text() == str(os.getpid())
    assert not (tmp_path / "run.lock").exists()


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_a_real_save_keeps_the_previous_checkpoint(tmp_path):
    """A child process saves a large model over a good checkpoint; SIGINT arrives while the new weights
    are being written. The good checkpoint must load afterwards, exactly as it was."""
    script = f"""
import sys, torch
from vaegan.autoencoders.models import Autoencoder
from vaegan.core.checkpoints import save_checkpoint
torch.manual_seed(int(sys.argv[1]))
model = Autoencoder(latent_size=2, hidden_size=6000)  # about 19 million numbers: a save takes a while
save_checkpoint(model, {str(tmp_path / "big")!r})
"""
    subprocess.run([sys.executable, "-c", script, "1"], check=True, timeout=120)
    before = (tmp_path / "big.json").read_text(), (tmp_path / "big.pt").read_bytes()
    # a child started by a non-interactive shell's background job inherits SIGINT ignored; restore the default
    # so that Python installs its Ctrl-C handler, as it does in a learner's terminal
    child = subprocess.Popen([sys.executable, "-c", script, "2"], stderr=subprocess.PIPE, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".big.pt.*.partial")) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.001)
    assert child.poll() is None, "the save finished before it could be interrupted"
    child.send_signal(signal.SIGINT)
    child.wait(timeout=60)
    assert child.returncode != 0  # it was interrupted, not finished
    assert ((tmp_path / "big.json").read_text(), (tmp_path / "big.pt").read_bytes()) == before
    assert not list(tmp_path.glob("*.partial"))
    load_checkpoint(tmp_path / "big")
