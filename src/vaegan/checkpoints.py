"""Checkpoints: a plain ``state_dict`` (``name.pt``) beside JSON metadata (``name.json``).

The metadata names the model class and the arguments it was built with, so
:func:`load_checkpoint` can rebuild the model, and records how it was made
(training arguments, steps, metrics, library versions).  Weights are read with
``torch.load(..., weights_only=True)``: loading runs no pickled code.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

import torch
from torch import nn

from vaegan.run_args import BOOKKEEPING_FIELDS  # the fields argument_differences ignores

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "read_metadata", "load_pretrained", "argument_differences", "PRETRAINED", "FORMAT"]

FORMAT = "vaegan-checkpoint/1"
#: The checkpoints shipped inside the package (``vaegan/weights/``), each made by
#: ``python -m vaegan train NAME --out src/vaegan/weights`` (see README).
PRETRAINED = Path(__file__).parent / "weights"


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, damaged, or made for another model; the message says what to do."""


def _paths(path: str | os.PathLike) -> tuple[Path, Path]:
    path = Path(path)
    if path.suffix in (".pt", ".json"):
        path = path.with_suffix("")
    return path.with_suffix(".pt"), path.with_suffix(".json")


def _describe(class_name: str, config: dict) -> str:
    return f"{class_name}({', '.join(f'{k}={v}' for k, v in config.items())})"


def save_checkpoint(
    model: nn.Module, path: str | os.PathLike, metadata: dict | None = None, half: bool = False
) -> Path:
    """Write ``path.pt`` (the state_dict, in float16 when ``half``) and ``path.json``; return the ``.pt`` path.

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
    torch.save(state, weights_path)
    import vaegan

    record = {
        "format": FORMAT,
        "model": {"class": type(model).__name__, "config": config},
        "parameters": sum(p.numel() for p in model.parameters()),
        "stored_dtype": "float16" if half else "float32",
        "versions": {"vaegan": vaegan.__version__, "torch": torch.__version__, "python": platform.python_version()},
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **(metadata or {}),
    }
    metadata_path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return weights_path


def read_metadata(path: str | os.PathLike) -> dict:
    """The JSON metadata of a checkpoint (``path`` with or without its suffix)."""
    weights_path, metadata_path = _paths(path)
    if not metadata_path.exists():
        raise CheckpointError(
            f"no metadata file {metadata_path} beside {weights_path}: a vaegan checkpoint is a .pt and a .json "
            f"written together by vaegan.checkpoints.save_checkpoint (or `python -m vaegan train ...`)"
        )
    try:
        record = json.loads(metadata_path.read_text())
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{metadata_path} is not valid JSON ({error}); re-create the checkpoint") from error
    if record.get("format") != FORMAT:
        raise CheckpointError(f"{metadata_path} has format {record.get('format')!r}, expected {FORMAT!r}")
    return record


def load_checkpoint(
    path: str | os.PathLike, model: nn.Module | None = None, map_location: str | torch.device = "cpu"
) -> tuple[nn.Module, dict]:
    """Load a checkpoint; return ``(model, metadata)``.

    Without ``model`` the model is rebuilt from the metadata.  With ``model``, the
    checkpoint must have been saved from the same class with the same arguments;
    otherwise a :class:`CheckpointError` names both architectures."""
    from vaegan.models import build_model

    weights_path, _ = _paths(path)
    record = read_metadata(path)
    saved_class, saved_config = record["model"]["class"], record["model"]["config"]
    if model is None:
        model = build_model(saved_class, **saved_config)
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


#: Argument fields that say where and how visibly a run trained, not what it trained.


def argument_differences(record: dict, args) -> dict:
    """``{field: (stored, expected)}`` for every training argument in which the checkpoint ``record``
    differs from the dataclass ``args`` (bookkeeping fields such as the device are ignored)."""
    expected = json.loads(json.dumps(args.to_dict()))  # tuples become lists, as in the stored JSON
    stored = record.get("args", {})
    return {
        key: (stored.get(key), value)
        for key, value in expected.items()
        if key not in BOOKKEEPING_FIELDS and stored.get(key) != value
    }


def load_pretrained(
    name: str, map_location: str | torch.device = "cpu", expected_args=None
) -> tuple[nn.Module, dict]:
    """A checkpoint shipped with the package, by run name (``classifier``, ``celeba_vae``).

    With ``expected_args`` (a run's argument dataclass), the checkpoint must have been trained
    with exactly those arguments; otherwise a :class:`CheckpointError` lists the fields that differ."""
    # a checkpoint is a .pt with its .json; timelines and sample sets beside them are not
    available = sorted(path.stem for path in PRETRAINED.glob("*.pt") if path.with_suffix(".json").is_file())
    if name not in available:
        raise CheckpointError(
            f"no pretrained checkpoint {name!r} in {PRETRAINED}; available: {', '.join(available) or 'none'}. "
            f"Train it with `python -m vaegan train {name} --out {PRETRAINED}`."
        )
    model, record = load_checkpoint(PRETRAINED / name, map_location=map_location)
    if expected_args is not None:
        differences = argument_differences(record, expected_args)
        if differences:
            listed = "; ".join(f"{key}: stored {old!r}, expected {new!r}" for key, (old, new) in differences.items())
            raise CheckpointError(
                f"the pretrained {name!r} was trained with other arguments than asked for ({listed}). "
                f"Re-create it with the command in its chapter, or ask for the arguments it was trained with."
            )
    return model, record
