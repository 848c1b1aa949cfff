"""The autoregressive trainer, in the same shape as :mod:`vaegan.autoencoders.train` and
:mod:`vaegan.gans.train`.

``ARArgs`` says everything about a run; ``ARTrainer`` draws a fresh binarisation of
every batch (dynamic binarisation), minimises the binary cross-entropy of each pixel
given the pixels before it (teacher forcing: the true previous pixels are the input),
and keeps the per-image negative log-likelihood in nats, so the loss on the progress bar
is the number the chapter reports. ``log_samples`` draws a few images from the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaegan.autoregressive.evaluate import exact_nll, save_samples
from vaegan.autoregressive.models import PixelCNN, PixelLSTM
from vaegan.core import data, scales
from vaegan.core.args import RunArgs
from vaegan.core.model import mode
from vaegan.core.trainer import Trainer, check_finite, log_image_grids

__all__ = ["ARArgs", "ARTrainer", "build_autoregressive"]

AR_MODELS = ("pixel_lstm", "pixelcnn")


@dataclass
class ARArgs(RunArgs):
    """One autoregressive run on dynamically binarised MNIST. Defaults: the seminar's
    LSTM (hidden 512, batch 128, Adam 1e-3)."""

    model: str = "pixel_lstm"  # or "pixelcnn"
    hidden_size: int = 512  # pixel_lstm
    channels: int = 64  # pixelcnn
    layers: int = 5  # pixelcnn: type-B layers after the type-A one
    batch_size: int = 128
    epochs: int = 10
    lr: float = 1e-3
    lr_schedule: str = "constant"  # or "linear": the rate falls to 0 at the last step
    train_limit: int | None = None
    log_every: int = 100
    sample_count: int = 8  # images drawn at every snapshot

    def __post_init__(self) -> None:
        need = self.require
        need(
            self.model in AR_MODELS,
            f"model must be one of {', '.join(AR_MODELS)}, got {self.model!r}",
        )
        need(
            self.hidden_size >= 1 and self.channels >= 1 and self.layers >= 0,
            "hidden_size and channels must be >= 1, layers >= 0",
        )
        need(self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}")
        need(self.epochs >= 0, f"epochs must be >= 0, got {self.epochs}")
        need(self.lr > 0, f"lr must be > 0, got {self.lr}")
        self.require_lr_schedule()
        need(
            self.train_limit is None or self.train_limit >= self.batch_size,
            f"train_limit must be None or at least one batch ({self.batch_size}), got {self.train_limit}",
        )
        need(
            self.log_every >= 1 and self.sample_count >= 0,
            "log_every must be >= 1 and sample_count >= 0",
        )


def build_autoregressive(args: ARArgs) -> nn.Module:
    if args.model == "pixel_lstm":
        return PixelLSTM(args.hidden_size)
    return PixelCNN(args.channels, args.layers)


class ARTrainer(Trainer):
    """Teacher forcing on dynamically binarised digits; a snapshot draws a few images
    pixel by pixel."""

    args_class = ARArgs
    scale = "unit"
    side_files = ("samples",)

    def training_images(self) -> data.ImageTensors:
        return data.mnist(train=True, scale="unit", limit=self.args.train_limit)

    def build(self) -> None:
        self.model = build_autoregressive(self.args).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.args.lr)
        self.noise = torch.Generator().manual_seed(
            self.args.seed + 1
        )  # the binarisation draws
        self.sampling = torch.Generator().manual_seed(self.args.seed + 2)

    def training_step(
        self, images: Tensor, labels: Tensor | None = None
    ) -> dict[str, float]:
        """One optimiser step on a fresh binarisation of ``images`` (the labels are not
        used); returns the mean negative log-likelihood per image in nats (``nll``) and
        per pixel (``bce``).
        """
        self.step += 1
        self.schedule_learning_rates({self.optimizer: self.args.lr})
        binary = scales.binarize(images, self.noise).to(self.device)
        logits = self.model(binary)
        bce = F.binary_cross_entropy_with_logits(
            logits, binary
        )  # the mean over pixels and images
        check_finite(bce, self.step, self.args.model)
        self.optimizer.zero_grad(set_to_none=True)
        bce.backward()
        self.optimizer.step()
        pixels = binary[0].numel()
        return {"bce": bce.item(), "nll": bce.item() * pixels}

    def log_samples(self) -> dict:
        """``sample_count`` images drawn from the model now (pixel by pixel)."""
        with mode(self.model):
            samples = (
                self.model.sample(self.args.sample_count, self.sampling)
                if self.args.sample_count
                else torch.zeros(0, 1, 28, 28)
            )
        snapshot = {"step": self.step, "samples": samples}
        self.snapshots.append(snapshot)
        if self.wandb is not None and len(samples):
            log_image_grids(self.wandb, {"samples": samples}, self.step, nrow=8)
        return snapshot

    @property
    def description(self) -> str:
        return f"{self.args.model} on binarised mnist"

    def postfix(self, record: dict) -> dict:
        return {"nats": f"{record['nll']:.1f}"}

    def metadata(self, metrics: dict | None = None, extra: dict | None = None) -> dict:
        # the per-step training NLL goes into the metadata, so a page that loads the
        # model can plot how it trained
        history = {
            "step": [row["step"] for row in self.history],
            "nll": [round(row["nll"], 3) for row in self.history],
        }
        return {**super().metadata(metrics), "history": history, **(extra or {})}

    def save(
        self,
        path,
        metrics: dict | None = None,
        half: bool = False,
        extra: dict | None = None,
        samples: int = 0,
    ):
        """Save the model; with ``samples=N``, also ``path_samples.pt``, N seeded
        samples (100 at a time)."""
        written = super().save(path, metrics, half, extra)
        self.sample_set = (
            save_samples(
                self.model,
                path,
                samples,
                extra={"command": (extra or {}).get("command")},
            )
            if samples
            else None
        )
        return written

    def evaluate(self, model: nn.Module) -> dict:
        nll = exact_nll(model)
        return {
            "test_nll": nll["mean"],
            "test_nll_standard_error": nll["standard_error"],
            "test_images": nll["images"],
        }
