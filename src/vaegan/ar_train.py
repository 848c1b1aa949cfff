"""The autoregressive trainer, in the same shape as :mod:`vaegan.train` and :mod:`vaegan.gan_train`.

``ARArgs`` says everything about a run; ``ARTrainer`` draws a fresh binarisation of every
batch (dynamic binarisation), minimises the binary cross-entropy of each pixel given the
pixels before it (teacher forcing: the true previous pixels are the input), and keeps the
per-image negative log-likelihood in nats, so the loss on the progress bar is the number
the chapter reports. ``log_samples`` draws a few images from the model.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from vaegan import data
from vaegan.checkpoints import save_checkpoint
from vaegan.loop import TrainingLoop, log_image_grids
from vaegan.models.autoregressive import PixelCNN, PixelLSTM
from vaegan.reproducibility import default_device, seed_everything
from vaegan.run_args import RunArgs

__all__ = [
    "ARArgs", "ARTrainer", "build_autoregressive", "test_negative_log_likelihood",
    "draw_in_chunks", "pack_binary", "unpack_binary", "save_samples", "load_samples", "complete", "completion_rows",
]

AR_MODELS = ("pixel_lstm", "pixelcnn")


@dataclass
class ARArgs(RunArgs):
    """One autoregressive run on dynamically binarised MNIST. Defaults: the seminar's LSTM
    (hidden 512, batch 128, Adam 1e-3)."""

    model: str = "pixel_lstm"  # or "pixelcnn"
    hidden_size: int = 512  # pixel_lstm
    channels: int = 64  # pixelcnn
    layers: int = 5  # pixelcnn: type-B layers after the type-A one
    batch_size: int = 128
    epochs: int = 10
    lr: float = 1e-3
    train_limit: int | None = None
    log_every: int = 100
    sample_count: int = 8  # images drawn at every snapshot

    def __post_init__(self) -> None:
        need = self.require
        need(self.model in AR_MODELS, f"model must be one of {', '.join(AR_MODELS)}, got {self.model!r}")
        need(self.hidden_size >= 1 and self.channels >= 1 and self.layers >= 0, "hidden_size and channels must be >= 1, layers >= 0")
        need(self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}")
        need(self.epochs >= 0, f"epochs must be >= 0, got {self.epochs}")
        need(self.lr > 0, f"lr must be > 0, got {self.lr}")
        need(self.train_limit is None or self.train_limit >= self.batch_size,
             f"train_limit must be None or at least one batch ({self.batch_size}), got {self.train_limit}")
        need(self.log_every >= 1 and self.sample_count >= 0, "log_every must be >= 1 and sample_count >= 0")


def build_autoregressive(args: ARArgs) -> nn.Module:
    if args.model == "pixel_lstm":
        return PixelLSTM(args.hidden_size)
    return PixelCNN(args.channels, args.layers)


class ARTrainer(TrainingLoop):
    def __init__(self, args: ARArgs, trainset: data.ImageTensors | None = None):
        if not isinstance(args, ARArgs):
            raise TypeError(f"ARTrainer needs ARArgs, got {type(args).__name__}")
        self.args = args
        self.device = torch.device(args.device) if args.device else default_device()
        seed_everything(args.seed)
        self.model = build_autoregressive(args).to(self.device)
        self.scale = "unit"
        self.trainset = trainset if trainset is not None else data.mnist(train=True, scale="unit", limit=args.train_limit)
        self.model.check_images(self.trainset.images[:1])
        self.loader = data.TensorLoader(self.trainset, args.batch_size, shuffle=True, seed=args.seed)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=args.lr)
        self.noise = torch.Generator().manual_seed(args.seed + 1)  # the binarisation draws
        self.sampling = torch.Generator().manual_seed(args.seed + 2)
        self.step = 0
        self.history: list[dict] = []
        self.snapshots: list[dict] = []
        self.wandb = None

    def training_step(self, images: Tensor) -> dict[str, float]:
        """One optimiser step on a fresh binarisation of ``images``; returns the mean negative
        log-likelihood per image in nats (``nll``) and per pixel (``bce``)."""
        binary = data.binarize(images, self.noise).to(self.device)
        logits = self.model(binary)
        bce = F.binary_cross_entropy_with_logits(logits, binary)  # the mean over pixels and images
        self.optimizer.zero_grad(set_to_none=True)
        bce.backward()
        self.optimizer.step()
        self.step += 1
        pixels = binary[0].numel()
        return {"bce": bce.item(), "nll": bce.item() * pixels}

    def log_samples(self) -> dict:
        """``sample_count`` images drawn from the model now (pixel by pixel)."""
        self.model.eval()
        samples = self.model.sample(self.args.sample_count, self.sampling) if self.args.sample_count else torch.zeros(0, 1, 28, 28)
        self.model.train()
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

    def save(self, path, metrics: dict | None = None, half: bool = False, extra: dict | None = None):
        # the per-step training NLL goes into the metadata, so a page that loads the model can plot how it trained
        history = {"step": [row["step"] for row in self.history], "nll": [round(row["nll"], 3) for row in self.history]}
        metadata = {"args": self.args.to_dict(), "scale": self.scale, "steps": self.step, "metrics": metrics or {},
                    "history": history, **(extra or {})}
        return save_checkpoint(self.model, path, metadata=metadata, half=half)


def test_negative_log_likelihood(model: nn.Module, limit: int | None = None, batch_size: int = 500) -> dict:
    """The exact negative log-likelihood of the statically binarised MNIST test set (seed 0, the ELBO
    chapter's set) in nats: ``{"mean", "standard_error", "images"}`` over its first ``limit`` images."""
    from vaegan.models.autoregressive import log_likelihood

    test = data.binarized_mnist(train=False, seed=0, limit=limit)
    values = -log_likelihood(model, test.images, batch_size)
    return {
        "mean": values.mean().item(),
        "standard_error": (values.std() / len(values) ** 0.5).item() if len(values) > 1 else float("nan"),
        "images": len(values),
    }


def draw_in_chunks(model: nn.Module, count: int, seed: int = 0, chunk: int = 100) -> Tensor:
    """``count`` samples ``(count, 1, 28, 28)``, drawn ``chunk`` at a time; chunk ``i`` uses a
    generator seeded ``seed + i``, so any one chunk can be drawn again on its own and compared."""
    if count < 1 or chunk < 1:
        raise ValueError(f"count and chunk must be at least 1, got {count} and {chunk}")
    was_training = model.training
    model.eval()
    images = [
        model.sample(min(chunk, count - start), torch.Generator().manual_seed(seed + index))
        for index, start in enumerate(range(0, count, chunk))
    ]
    model.train(was_training)
    return torch.cat(images)


def pack_binary(images: Tensor) -> Tensor:
    """``(n, c, h, w)`` images of 0s and 1s -> ``(n, ceil(c*h*w / 8))`` uint8, eight pixels a byte."""
    if not bool(((images == 0) | (images == 1)).all()):
        raise ValueError("pack_binary needs images of 0s and 1s")
    bits = images.flatten(1).to(torch.uint8)
    bits = F.pad(bits, (0, -bits.shape[1] % 8))
    weights = torch.tensor([128, 64, 32, 16, 8, 4, 2, 1], dtype=torch.uint8)
    return (bits.view(len(bits), -1, 8) * weights).sum(-1).to(torch.uint8)


def unpack_binary(packed: Tensor, shape=(1, 28, 28)) -> Tensor:
    """The inverse of :func:`pack_binary`: ``(n, bytes) -> (n, *shape)`` float images of 0s and 1s."""
    weights = torch.tensor([128, 64, 32, 16, 8, 4, 2, 1], dtype=torch.uint8)
    bits = (packed.unsqueeze(-1) & weights).ne(0).flatten(1)
    pixels = int(torch.tensor(shape).prod())
    return bits[:, :pixels].float().view(len(packed), *shape)


def save_samples(model: nn.Module, path, count: int, seed: int = 0, chunk: int = 100, extra: dict | None = None) -> dict:
    """Draw ``count`` samples with :func:`draw_in_chunks` and write them, packed, with how they were
    drawn and how long it took, to ``path_samples.pt``. A page that cannot afford to draw a thousand
    images pixel by pixel loads them with :func:`load_samples` and re-draws one chunk to check them."""
    started = time.perf_counter()
    images = draw_in_chunks(model, count, seed, chunk)
    record = {"packed": pack_binary(images), "count": count, "seed": seed, "chunk": chunk,
              "seconds": time.perf_counter() - started, "threads": torch.get_num_threads(), **(extra or {})}
    torch.save(record, f"{os.fspath(path)}_samples.pt")
    return record


def load_samples(path) -> dict:
    """What :func:`save_samples` wrote, with ``images`` unpacked to ``(count, 1, 28, 28)``;
    ``path`` is the checkpoint's path without a suffix."""
    file = f"{os.fspath(path)}_samples.pt"
    if not os.path.exists(file):
        raise FileNotFoundError(f"no sample set at {file}; make it with `python -m vaegan train NAME --samples 1000`")
    record = torch.load(file, weights_only=True)
    record["images"] = unpack_binary(record.pop("packed"))
    return record


def complete(model: nn.Module, digits: Tensor, given_rows: int, per_digit: int, seed: int = 0) -> Tensor:
    """Image completion: ``(n, 1, h, w)`` binary digits -> ``(n, per_digit, 1, h, w)``, each digit's
    first ``given_rows`` rows kept and the rest sampled ``per_digit`` times from p(rest | given)."""
    width = digits.shape[-1]
    if not 0 <= given_rows <= digits.shape[-2] or per_digit < 1:
        raise ValueError(f"given_rows must be in [0, {digits.shape[-2]}] and per_digit >= 1, got {given_rows} and {per_digit}")
    repeated = digits.repeat_interleave(per_digit, dim=0)
    given = rearrange(repeated, "b c h w -> b (c h w)")[:, : given_rows * width]
    drawn = model.sample(len(repeated), torch.Generator().manual_seed(seed), given=given)
    return rearrange(drawn, "(n k) c h w -> n k c h w", k=per_digit)


def completion_rows(digits: Tensor, completed: Tensor, given_rows: int) -> Tensor:
    """For display, ``(n, k + 2, 1, h, w)``: per digit, the given rows (the rest grey), the ``k``
    completions from :func:`complete`, then the whole digit."""
    shown = digits.clone()
    shown[:, :, given_rows:] = 0.5
    return torch.cat([shown.unsqueeze(1), completed, digits.unsqueeze(1)], dim=1)
