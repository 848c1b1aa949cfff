"""Bad commands and faults through the real `python -m vaegan`: each ends in one clear line, before the
work where it can, and leaves nothing half-written.

Every case is its own interpreter (that is the point: the learner's command line), so they run side by
side to keep the torch imports from adding up."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from vaegan.core.checkpoints import PRETRAINED


def _default_sigint():
    # a child of a non-interactive shell's background job inherits SIGINT ignored (as under CI); restore the
    # default so that Python installs its Ctrl-C handler, as it does in a learner's terminal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*arguments, cwd, **environment):
    return subprocess.Popen(
        [sys.executable, "-m", "vaegan", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=cwd, env={**os.environ, "WANDB_MODE": "offline", **environment}, preexec_fn=_default_sigint,
    )


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_bad_commands_end_in_one_clear_line_and_write_nothing(tmp_path, data_root):
    (tmp_path / "a_file").write_text("")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "vae.lock").write_text(str(os.getpid()))  # a live process holds the name
    (tmp_path / "no_data").mkdir()
    committed = PRETRAINED / "bernoulli_vae_bounds.json"
    before = hashlib.sha256(committed.read_bytes()).hexdigest()
    smoke = ["--profile", "smoke"]
    cases = {
        "out is a file": (["train", "vae", *smoke, "--out", str(tmp_path / "a_file")], {}, "is a file, not a folder"),
        "out inside a file": (["train", "vae", *smoke, "--out", str(tmp_path / "a_file" / "x")], {}, "cannot write into"),
        "a check run over the committed table": (["bounds", "bernoulli_vae", "--test-limit", "5"], {}, "would overwrite the committed bernoulli_vae_bounds.json"),
        "zero epochs through --set": (["train", "vae", *smoke, "--set", "epochs=0", "--out", str(tmp_path / "out")], {}, "epochs must be at least 1"),
        "a second writer": (["train", "vae", *smoke, "--out", str(tmp_path / "locked")], {}, "another run is writing vae"),
        "no data": (["train", "vae", *smoke, "--out", str(tmp_path / "out_no_data")], {"VAEGAN_DATA_DIR": str(tmp_path / "no_data"), "VAEGAN_OFFLINE": "1"}, "MNIST is not in"),
        "divergence": (["train", "vae", *smoke, "--set", "lr=1e30", "--out", str(tmp_path / "out_diverged")], {}, "training diverged at step"),
    }
    running = {name: start(*arguments, cwd=tmp_path, **environment) for name, (arguments, environment, _) in cases.items()}
    for name, process in running.items():
        _, stderr = process.communicate(timeout=300)
        message = cases[name][2]
        assert process.returncode == 1, (name, stderr[-1500:])
        assert "Traceback" not in stderr, (name, stderr[-1500:])
        assert last_line(stderr).startswith("error: ") and message in last_line(stderr), (name, last_line(stderr))
    assert hashlib.sha256(committed.read_bytes()).hexdigest() == before
    for folder in ("out", "out_no_data", "out_diverged"):  # refused before, or stopped without a half-written file
        assert not (tmp_path / folder).exists() or not any((tmp_path / folder).iterdir()), folder
    assert sorted(path.name for path in (tmp_path / "locked").iterdir()) == ["vae.lock"]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_ends_a_run_with_one_line_saying_what_was_saved(tmp_path, data_root, stop):
    out = tmp_path / "out"
    state = tmp_path / "run.state"
    process = start("train", "pixelcnn", "--profile", "smoke", "--set", "epochs=50", "--out", str(out),
                    "--resume", str(state), cwd=tmp_path)
    deadline, seen = time.monotonic() + 120, ""
    while "pixelcnn on binarised mnist" not in seen and time.monotonic() < deadline:  # the progress bar: training has begun
        seen += os.read(process.stderr.fileno(), 4096).decode(errors="replace")
    process.send_signal(stop)  # SIGTERM (kill) stops it as Ctrl-C does
    _, rest = process.communicate(timeout=60)
    stderr = seen + rest
    assert process.returncode == 130, stderr[-1500:]
    assert "Traceback" not in stderr
    assert last_line(stderr).startswith("interrupted: nothing was written")
    assert f"the progress so far is in {state} (as of the last finished epoch), and the same command continues" in stderr
    assert sorted(path.name for path in out.iterdir()) == []  # no checkpoint, no lock, no partial file
