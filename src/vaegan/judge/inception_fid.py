"""The standard FID (Heusel et al. 2017), through torchmetrics, for learners who are
online.

The book's own Frechet distance (:mod:`vaegan.judge.metrics`) uses the features of a
small MNIST classifier that ships with the package, so it works offline and is what the
chapters assert on. Published GAN results use features of an ImageNet Inception-v3
instead; those weights (about 100 MB) download on first use, so this module is optional:

    pip install "torchmetrics[image]"

:func:`inception_fid` returns ``(value, None)`` when it could compute the number and
``(None, reason)`` when it could not, saying what to install or that the network is
unreachable; it never hangs on a missing network.
"""

from __future__ import annotations

import importlib.util

import torch
from torch import Tensor

from vaegan.core.network import network_available

__all__ = ["inception_fid"]

WEIGHTS_HOST = ("github.com", 443)  # torchmetrics downloads the Inception weights from GitHub releases


def _three_channels(images: Tensor) -> Tensor:
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must be (n, 1 or 3, h, w) in [0, 1], got {tuple(images.shape)}")
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images


def inception_fid(real: Tensor, fake: Tensor, batch_size: int = 100) -> tuple[float | None, str | None]:
    """FID between ``real`` and ``fake`` images ``(n, c, h, w)`` in [0, 1], or
    ``(None, why not)``."""
    if importlib.util.find_spec("torchmetrics") is None or importlib.util.find_spec("torch_fidelity") is None:
        return None, 'skipped: torchmetrics with its image extra is not installed (pip install "torchmetrics[image]")'
    if not network_available(*WEIGHTS_HOST):  # the package's one check: time-bounded, and it honours VAEGAN_OFFLINE
        return None, "skipped: offline (the Inception-v3 weights download from github.com on first use)"
    from torchmetrics.image.fid import FrechetInceptionDistance

    try:
        metric = FrechetInceptionDistance(feature=2048, normalize=True)
    except Exception as error:  # a failed or partial download surfaces as many error types
        return None, f"skipped: the Inception-v3 weights could not be loaded ({error})"
    with torch.no_grad():
        for images, is_real in ((real, True), (fake, False)):
            for chunk in _three_channels(images).split(batch_size):
                metric.update(chunk, real=is_real)
    return metric.compute().item(), None
