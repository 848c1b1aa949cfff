import os
from pathlib import Path

import matplotlib
import pytest
import torch

matplotlib.use("Agg")  # tests draw off-screen; kernels (nbval, the build) keep their inline backend

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The real data folder ($VAEGAN_DATA_DIR; `make test` sets it to ../shared/data).

    Tests that need real data fail, not skip, when it is missing: a silently skipped
    data test would hide a broken set-up."""
    folder = os.environ.get("VAEGAN_DATA_DIR")
    if not folder or not (Path(folder) / "MNIST" / "raw").is_dir():
        pytest.fail(
            "VAEGAN_DATA_DIR must point at a folder with MNIST/raw and celeba/ (run the tests through `make test`, "
            "which uses ../shared/data when it exists)"
        )
    return Path(folder)


@pytest.fixture
def offline_wandb(tmp_path, monkeypatch):
    """wandb in offline mode writing under ``tmp_path``; torn down afterwards, because wandb
    keeps its settings (the run folder among them) in a process-wide singleton."""
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    import wandb

    wandb.teardown()
    yield tmp_path
    wandb.teardown()


@pytest.fixture
def offline_wandb_flush():
    """Call before reading the offline run's files: ``wandb.finish()`` returns before the
    background service has written everything; shutting the service down waits for it."""
    import wandb

    return wandb.teardown


@pytest.fixture
def one_thread():
    """Tiny models: one thread is faster on a shared CPU, and leaves the other core to others.
    A test module asks for it with ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
