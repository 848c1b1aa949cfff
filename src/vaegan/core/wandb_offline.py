"""Reading offline Weights & Biases runs back, without the server.

An offline run is a folder ``offline-run-<time>-<id>`` holding ``run-<id>.wandb``:
wandb's records (the run, every ``log`` call, the summary) in LevelDB's log format (32
KiB blocks; each piece of a record has a 7-byte header: checksum, length, and whether it
is a whole record or its first, middle or last piece), after a 7-byte file header.
Logged images are also written as PNG files under ``files/media/images``.
:func:`read_offline_runs` gives, for each run, what a page or a test needs to know it
was logged: its name and group, the logged keys, and the images.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

__all__ = ["read_offline_runs", "offline_records"]

_BLOCK = 32 * 1024
_HEADER = 7
_FULL, _FIRST, _MIDDLE, _LAST = 1, 2, 3, 4


def offline_records(path: Path):
    """The raw records of one ``.wandb`` file, as bytes."""
    data = Path(path).read_bytes()
    if not data.startswith(b":W&B"):
        raise ValueError(f"{path} is not a wandb run file (it does not start with ':W&B')")
    position, pieces = _HEADER, b""
    while position + _HEADER <= len(data):
        left = _BLOCK - position % _BLOCK
        if left < _HEADER:  # the end of a block too short for a header is padding
            position += left
            continue
        _, length, kind = struct.unpack("<IHB", data[position:position + _HEADER])
        position += _HEADER
        piece = data[position:position + length]
        position += length
        if kind == _FULL:
            yield piece
        elif kind == _FIRST:
            pieces = piece
        elif kind == _MIDDLE:
            pieces += piece
        elif kind == _LAST:
            yield pieces + piece
            pieces = b""
        elif kind == 0 and length == 0:
            break  # zeroed tail: nothing more was written


def _key(item) -> str:
    return item.key or "/".join(item.nested_key)


def read_offline_runs(folder) -> list[dict]:
    """Every offline run under ``folder`` (the ``dir`` given to wandb, or its ``wandb``
    subfolder), oldest first:
    ``{"name", "group", "started" (ns since 1970), "logged" (history keys, without wandb's own), "history_rows", "summary" (numbers only), "images" (PNG paths), "path"}``."""
    from wandb.proto import wandb_internal_pb2

    folder = Path(folder)
    runs = []
    for path in sorted(folder.glob("**/offline-run-*/run-*.wandb")):
        run = {"name": None, "group": None, "started": 0, "logged": set(), "history_rows": 0, "summary": {}, "path": path.parent}
        for raw in offline_records(path):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(raw)
            kind = record.WhichOneof("record_type")
            if kind == "run":
                run["name"], run["group"] = record.run.display_name, record.run.run_group or None
                run["started"] = record.run.start_time.ToNanoseconds()
            elif kind == "history":
                run["history_rows"] += 1
                run["logged"] |= {_key(item).split("/")[0] for item in record.history.item if not _key(item).startswith("_")}
            elif kind == "summary":
                for item in record.summary.update:
                    try:
                        value = json.loads(item.value_json)
                    except ValueError:
                        continue
                    if isinstance(value, (int, float)) and not _key(item).startswith("_") and "/" not in _key(item):
                        run["summary"][_key(item)] = value
        run["images"] = sorted((path.parent / "files" / "media" / "images").glob("*.png"))
        run["logged"] = sorted(run["logged"])
        runs.append(run)
    # the folders' names give the start to the second only, then a random id: order by the recorded start
    return sorted(runs, key=lambda run: run["started"])
