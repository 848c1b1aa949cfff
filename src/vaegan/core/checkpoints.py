"""Every file the package saves, and its name.

A checkpoint is a plain ``state_dict`` (``NAME.pt``) beside JSON metadata
(``NAME.json``). The metadata names the model class and the arguments it was built with,
so a model can be rebuilt from it (:func:`vaegan.registry.load_checkpoint` knows every
class), and records how it was made (training arguments, steps, metrics, library
versions, the command). Weights are read with ``torch.load(..., weights_only=True)``:
loading runs no pickled code.

Beside a checkpoint ``NAME`` a run may leave side files, each with one writer and one
reader here:

=====================  ================================================================
``NAME_timeline.pt``   a GAN run's fixed-latent samples at every snapshot and every
step's
                       signals (:func:`save_timeline`, :func:`load_timeline`)
``NAME_samples.pt``    an autoregressive model's seeded sample set, eight pixels a byte
                       (:func:`save_sample_set`, :func:`load_samples`)
``NAME_bounds.json``   a VAE's test-set bounds table (:func:`save_bounds`, :func:`load_bounds`)
``NAME_discriminator`` a GAN's discriminator, itself a checkpoint (:func:`side_path`)
=====================  ================================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

import torch.nn.functional as F
from torch import Tensor

from vaegan.core import __version__
from vaegan.core.args import BOOKKEEPING_FIELDS  # the fields argument_differences ignores

__all__ = [
    "CheckpointError", "save_checkpoint", "atomic_file", "check_writable", "check_not_committed", "file_sha256", "output_lock", "load_checkpoint", "read_metadata", "argument_differences",
    "check_arguments", "available_checkpoints", "PRETRAINED", "FORMAT", "SIDE_FILES", "side_path",
    "pack_timeline", "unpack_timeline", "save_timeline", "load_timeline", "pack_binary", "unpack_binary", "save_sample_set", "load_samples",
    "save_bounds", "load_bounds",
]

FORMAT = "vaegan-checkpoint/1"
#: The checkpoints shipped inside the package (``vaegan/weights/``), each made by
#: ``python -m vaegan train NAME --out src/vaegan/weights`` (see README).
PRETRAINED = Path(__file__).parent.parent / "weights"


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, damaged, or made for another model; the message
    says what to do."""


def _paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """``NAME.pt`` and ``NAME.json`` for ``NAME``, ``NAME.pt`` or ``NAME.json``. A name
    is a name: only those two suffixes are taken off (``vae_beta_0.01`` is not
    ``vae_beta_0`` with a suffix)."""
    text = os.fspath(path)
    for suffix in (".pt", ".json"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    return Path(text + ".pt"), Path(text + ".json")


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends normally, rename it
    onto ``path`` in one step. If the block is interrupted (Ctrl-C, a crash, a full
    disk), the temporary file is removed and whatever stood at ``path`` before is
    untouched."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        yield temporary
        with open(temporary, "rb") as file:
            os.fsync(file.fileno())  # on disk before the rename makes it visible
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def check_writable(folder: str | os.PathLike) -> Path:
    """Refuse, before any work, an output folder that is a file, lies inside a file, or
    cannot be written (the folder is created when missing)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CheckpointError(f"--out {folder} is a file, not a folder; give a folder for the outputs")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise CheckpointError(f"cannot write into {folder} ({error.strerror or error}); choose another --out") from None
    return folder


def check_not_committed(files, overwrite: bool = False) -> None:
    """Refuse to replace a file shipped in the package's ``weights/`` unless
    ``overwrite``: the chapters read those files, and a quick check run must not replace
    a real result by accident."""
    committed = [Path(file) for file in files if Path(file).exists() and Path(file).resolve().parent == PRETRAINED.resolve()]
    if committed and not overwrite:
        raise CheckpointError(
            f"this would overwrite the committed {', '.join(file.name for file in committed)} in {PRETRAINED}, which the "
            f"chapters read; write elsewhere with --out, or pass --overwrite to replace it on purpose"
        )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def output_lock(path: str | os.PathLike) -> Iterator[Path]:
    """Hold ``NAME.lock`` beside the outputs of run ``NAME`` while it works, so that a
    second run writing the same name is refused at once instead of silently replacing
    the first one's files. A lock left by a process that no longer runs is taken
    over."""
    lock = Path(f"{os.fspath(path)}.lock")
    for attempt in range(2):
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            text = lock.read_text().strip() if lock.exists() else ""
            holder = int(text) if text.isdigit() else None
            if attempt == 0 and holder is not None and not _process_alive(holder):
                lock.unlink(missing_ok=True)  # stale: its process is gone
                continue
            raise CheckpointError(
                f"another run is writing {Path(path).name} in {lock.parent} (process {holder}, lock file {lock}); "
                f"wait for it to finish, or give this run another name with --save-as"
            ) from None
    with os.fdopen(descriptor, "w") as file:
        file.write(str(os.getpid()))
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)


def _describe(class_name: str, config: dict) -> str:
    return f"{class_name}({', '.join(f'{k}={v}' for k, v in config.items())})"


def save_checkpoint(
    model: nn.Module, path: str | os.PathLike, metadata: dict | None = None, half: bool = False
) -> Path:
    """Write ``path.pt`` (the state_dict, in float16 when ``half``) and ``path.json``;
    return the ``.pt`` path.

    ``model`` needs a ``config`` dict (every vaegan model has one) so that the
    checkpoint can rebuild it."""
    config = getattr(model, "config", None)
    if not isinstance(config, dict):
        raise TypeError(f"{type(model).__name__} has no `config` dict; only vaegan models can be saved this way")
    weights_path, metadata_path = _paths(path)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        name: (tensor.detach().half() if half and tensor.is_floating_point() else tensor.detach()).cpu().clone()
        for name, tensor in model.state_dict().items()
    }
    # Both files are written beside their targets and renamed into place, the .json last: an interrupted
    # save leaves the previous checkpoint whole, or at worst a new .pt beside the old .json, which the
    # recorded SHA-256 then refuses (see load_checkpoint).
    with atomic_file(weights_path) as temporary:
        torch.save(state, temporary)
        digest = file_sha256(temporary)
    record = {
        "format": FORMAT,
        "model": {"class": type(model).__name__, "config": config},
        "parameters": sum(p.numel() for p in model.parameters()),
        "stored_dtype": "float16" if half else "float32",
        "weights_sha256": digest,
        "versions": {"vaegan": __version__, "torch": torch.__version__, "python": platform.python_version()},
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **(metadata or {}),
    }
    with atomic_file(metadata_path) as temporary:
        temporary.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return weights_path


def read_metadata(path: str | os.PathLike) -> dict:
    """The JSON metadata of a checkpoint (``path`` with or without its suffix)."""
    weights_path, metadata_path = _paths(path)
    if not metadata_path.exists():
        raise CheckpointError(
            f"no metadata file {metadata_path} beside {weights_path}: a vaegan checkpoint is a .pt and a .json "
            f"written together by vaegan.core.checkpoints.save_checkpoint (or `python -m vaegan train ...`)"
        )
    try:
        record = json.loads(metadata_path.read_text())
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{metadata_path} is not valid JSON ({error}); re-create the checkpoint") from error
    if record.get("format") != FORMAT:
        raise CheckpointError(f"{metadata_path} has format {record.get('format')!r}, expected {FORMAT!r}")
    return record


def load_checkpoint(
    path: str | os.PathLike, model, map_location: str | torch.device = "cpu"
) -> tuple[nn.Module, dict]:
    """Load a checkpoint into ``model``; return ``(model, metadata)``.

    ``model`` is a module, which must be of the checkpoint's class with the same
    arguments (otherwise a :class:`CheckpointError` names both architectures), or a
    function ``(class_name, config) -> module`` that builds one from the metadata (the
    registry's ``build_model``; :func:`vaegan.registry.load_checkpoint` passes it)."""
    weights_path, _ = _paths(path)
    record = read_metadata(path)
    saved_class, saved_config = record["model"]["class"], record["model"]["config"]
    if not isinstance(model, nn.Module):
        model = model(saved_class, **saved_config)
    else:
        config = getattr(model, "config", None)
        if type(model).__name__ != saved_class or config != saved_config:
            raise CheckpointError(
                f"{weights_path} holds a {_describe(saved_class, saved_config)}, but the model given is a "
                f"{_describe(type(model).__name__, config or {})}. Build the model with the checkpoint's arguments, "
                f"or call load_checkpoint(path) without a model to rebuild it."
            )
    if not weights_path.exists():
        raise CheckpointError(f"checkpoint weights {weights_path} are missing (the .json is there)")
    if "weights_sha256" in record and file_sha256(weights_path) != record["weights_sha256"]:
        raise CheckpointError(
            f"{weights_path} is not the file {_paths(path)[1]} describes (its SHA-256 differs from the recorded one): "
            f"the two belong to different saves, or the .pt is damaged. Re-create the checkpoint."
        )
    try:
        state = torch.load(weights_path, map_location=map_location, weights_only=True)
    except Exception as error:  # truncated or foreign files raise many different errors
        raise CheckpointError(f"could not read {weights_path}: {error}. The file is damaged; re-create it.") from error
    expected = model.state_dict()
    mismatched = sorted(set(state) ^ set(expected)) + [
        name for name in set(state) & set(expected) if tuple(state[name].shape) != tuple(expected[name].shape)
    ]
    if mismatched:
        raise CheckpointError(
            f"{weights_path} does not fit {_describe(saved_class, saved_config)}: tensors {mismatched[:5]} differ "
            f"in name or shape. The .pt and .json do not belong together; re-create the checkpoint."
        )
    model.load_state_dict({name: tensor.to(expected[name].dtype) for name, tensor in state.items()})
    return model, record


def argument_differences(record: dict, args) -> dict:
    """``{field: (stored, expected)}`` for every training argument in which the
    checkpoint ``record`` differs from the dataclass ``args`` (bookkeeping fields such
    as the device are ignored)."""
    expected = json.loads(json.dumps(args.to_dict()))  # tuples become lists, as in the stored JSON
    stored = dict(record.get("args", {}))
    # a field added to the dataclass after the checkpoint was made is absent from its record; its
    # default is what every earlier run did (a new option starts switched off), so it is filled in
    for item in dataclasses.fields(args):
        if item.name not in stored and item.default is not dataclasses.MISSING:
            stored[item.name] = json.loads(json.dumps(item.default))
    return {
        key: (stored.get(key), value)
        for key, value in expected.items()
        if key not in BOOKKEEPING_FIELDS and stored.get(key) != value
    }


def check_arguments(name: str, record: dict, expected_args, fix: str | None = None) -> None:
    """Refuse a checkpoint ``record`` that was not trained with exactly
    ``expected_args`` (a run's argument dataclass), listing the fields that differ;
    ``fix`` replaces the default advice in the message."""
    differences = argument_differences(record, expected_args)
    if differences:
        listed = "; ".join(f"{key}: stored {old!r}, expected {new!r}" for key, (old, new) in differences.items())
        fix = fix or "Re-create it with the command in its chapter, or ask for the arguments it was trained with."
        raise CheckpointError(f"the pretrained {name!r} was trained with other arguments than asked for ({listed}). {fix}")


def available_checkpoints(folder: Path = PRETRAINED) -> list[str]:
    """The checkpoint names in ``folder``: every ``.pt`` with its ``.json`` (side files
    have none)."""
    return sorted(path.stem for path in folder.glob("*.pt") if path.with_suffix(".json").is_file())


# ---------------------------------------------------------------------------
# Side files
# ---------------------------------------------------------------------------

#: kind -> the file name's ending after ``NAME``
SIDE_FILES = {"timeline": "_timeline.pt", "samples": "_samples.pt", "bounds": "_bounds.json", "discriminator": "_discriminator"}


def side_path(path: str | os.PathLike, kind: str) -> Path:
    """The side file of ``kind`` beside the checkpoint ``path`` (given without its
    suffix)."""
    if kind not in SIDE_FILES:
        raise ValueError(f"unknown side file {kind!r}; use one of {', '.join(SIDE_FILES)}")
    return Path(f"{os.fspath(path)}{SIDE_FILES[kind]}")


def pack_timeline(steps: Tensor, samples: Tensor, history: list[dict]) -> dict:
    """A run's timeline as it is stored: the snapshot ``steps (n,)``, their
    ``samples (n, k, c, h, w)`` in [0, 1] as uint8 pixels, and every step's recorded
    signals as one float32 column each."""
    fields = [key for key in history[0] if key != "epoch"] if history else []
    return {
        "steps": steps,
        "samples": (samples * 255).round().to(torch.uint8),
        "history": {key: torch.tensor([row[key] for row in history], dtype=torch.float32) for key in fields},
    }


def unpack_timeline(stored: dict) -> dict:
    """The stored timeline as a page reads it: samples back in [0, 1], the history one
    dict a step."""
    columns = {key: values.tolist() for key, values in stored["history"].items()}
    count = len(next(iter(columns.values()), []))
    return {
        "steps": stored["steps"],
        "samples": stored["samples"].float() / 255,
        "history": [{key: values[index] for key, values in columns.items()} for index in range(count)],
    }


def save_timeline(path: str | os.PathLike, steps: Tensor, samples: Tensor, history: list[dict]) -> Path:
    """Write ``NAME_timeline.pt`` (see :func:`pack_timeline`)."""
    file = side_path(path, "timeline")
    with atomic_file(file) as temporary:
        torch.save(pack_timeline(steps, samples, history), temporary)
    return file


def load_timeline(path: str | os.PathLike) -> dict:
    """``{"steps": (n,), "samples": (n, k, c, h, w) in [0, 1], "history": [{"step": ..., signal: ...}]}``
    as :func:`save_timeline` wrote it; ``path`` is the checkpoint's path without a
    suffix."""
    file = side_path(path, "timeline")
    if not file.exists():
        raise FileNotFoundError(f"no training timeline at {file}; save the run with GANTrainer.save(..., timeline=k)")
    return unpack_timeline(torch.load(file, weights_only=True))


_BIT_WEIGHTS = (128, 64, 32, 16, 8, 4, 2, 1)


def pack_binary(images: Tensor) -> Tensor:
    """``(n, c, h, w)`` images of 0s and 1s -> ``(n, ceil(c*h*w / 8))`` uint8, eight
    pixels a byte."""
    if not bool(((images == 0) | (images == 1)).all()):
        raise ValueError("pack_binary needs images of 0s and 1s")
    bits = images.flatten(1).to(torch.uint8)
    bits = F.pad(bits, (0, -bits.shape[1] % 8))
    weights = torch.tensor(_BIT_WEIGHTS, dtype=torch.uint8)
    return (bits.view(len(bits), -1, 8) * weights).sum(-1).to(torch.uint8)


def unpack_binary(packed: Tensor, shape=(1, 28, 28)) -> Tensor:
    """The inverse of :func:`pack_binary`: ``(n, bytes) -> (n, *shape)`` float images of
    0s and 1s."""
    weights = torch.tensor(_BIT_WEIGHTS, dtype=torch.uint8)
    bits = (packed.unsqueeze(-1) & weights).ne(0).flatten(1)
    pixels = int(torch.tensor(shape).prod())
    return bits[:, :pixels].float().view(len(packed), *shape)


def save_sample_set(path: str | os.PathLike, images: Tensor, record: dict) -> Path:
    """Write ``NAME_samples.pt``: binary ``images``, packed, and ``record`` (how they
    were drawn)."""
    file = side_path(path, "samples")
    with atomic_file(file) as temporary:
        torch.save({"packed": pack_binary(images), **record}, temporary)
    return file


def load_samples(path: str | os.PathLike) -> dict:
    """What :func:`save_sample_set` wrote, with ``images`` unpacked to
    ``(count, 1, 28, 28)``; ``path`` is the checkpoint's path without a suffix."""
    file = side_path(path, "samples")
    if not file.exists():
        raise FileNotFoundError(f"no sample set at {file}; make it with `python -m vaegan train NAME --samples 1000`")
    record = torch.load(file, weights_only=True)
    record["images"] = unpack_binary(record.pop("packed"))
    return record


def save_bounds(file: str | os.PathLike, table: dict) -> Path:
    """Write a bounds table (:func:`vaegan.autoencoders.bounds.bounds_table`) as JSON to
    ``file``."""
    file = Path(file)
    with atomic_file(file) as temporary:
        temporary.write_text(json.dumps(table, indent=2) + "\n")
    return file


def load_bounds(path: str | os.PathLike) -> dict:
    """The bounds table beside the checkpoint ``path`` (``NAME_bounds.json``)."""
    file = side_path(path, "bounds")
    if not file.exists():
        raise FileNotFoundError(f"no bounds table at {file}; make it with `python -m vaegan bounds NAME`")
    return json.loads(file.read_text())
