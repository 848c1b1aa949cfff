"""Make ``import torchvision`` work when its compiled operators do not match torch.

Why this exists: the only torchvision release that accepts torch 2.13.0 is
0.28.0, and PyPI ships it built against CUDA.  With the CPU build of torch its
``_C.so`` cannot load (it links ``libtorch_cuda.so``), yet torchvision's
``_meta_registrations.py`` registers fake kernels for ``torchvision::nms`` and
``torchvision::qnms`` at import time, so ``import torchvision`` fails with
``RuntimeError: operator torchvision::nms does not exist`` (pytorch/vision#9085).

The fix, run by ``vaegan/__init__.py`` before anything imports torchvision:

1. if the operators are already registered (torchvision imported fine
   earlier, or this ran before), do nothing;
2. else load torchvision's own ``_C`` library, which is what a matching install
   does itself, and is a no-op in effect;
3. only if that fails, declare the two operator *schemas* so the fake-kernel
   registration succeeds.  Datasets, transforms, ``utils`` and ``models`` then
   work; ``torchvision.ops.nms`` and ``torchvision.io`` codecs still do not, and
   this book uses neither (images are read with PIL).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

__all__ = ["ensure_torchvision_importable", "STATUS"]

_SCHEMAS = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}

# Kept alive for the whole process: dropping a Library object unregisters its schemas.
_LIBRARY: torch.library.Library | None = None

#: What the last call did: "registered", "native", "schemas-defined" or "not-installed".
STATUS: str | None = None


def _operators_registered() -> bool:
    return all(_has_op(name) for name in _SCHEMAS)


def _has_op(name: str) -> bool:
    try:
        getattr(torch.ops.torchvision, name)
    except (AttributeError, RuntimeError):
        return False
    return True


def _compiled_library() -> Path | None:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(spec.submodule_search_locations[0])
    return next(iter(sorted(folder.glob("_C*.so")) + sorted(folder.glob("_C*.pyd"))), None)


def ensure_torchvision_importable() -> str:
    """Run the fix once; return what it did (see module docstring)."""
    global _LIBRARY, STATUS
    if importlib.util.find_spec("torchvision") is None:
        STATUS = "not-installed"
    elif _operators_registered():
        STATUS = "registered"
    else:
        library_path = _compiled_library()
        try:
            if library_path is None:
                raise OSError("torchvision has no compiled _C library")
            torch.ops.load_library(str(library_path))
            if not _operators_registered():
                raise OSError("torchvision's _C library loaded but registered no nms operator")
            STATUS = "native"
        except (OSError, RuntimeError):
            _LIBRARY = torch.library.Library("torchvision", "FRAGMENT")
            for name, schema in _SCHEMAS.items():
                if not _has_op(name):
                    _LIBRARY.define(schema)
            STATUS = "schemas-defined"
    return STATUS
