"""Training the judge: the MNIST classifier, shown digits and non-digits.

A plain classifier is confidently wrong on inputs unlike its training data, so every
batch also shows it as many non-digits (noise of several kinds, two different digits
overlaid) and asks for a uniform prediction on them ("outlier exposure", Hendrycks et
al., 2019). The run is an ordinary :class:`vaegan.core.trainer.Trainer`: its step needs
the labels, which the shared loop passes to every family.

    python -m vaegan train classifier --out src/vaegan/weights
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaegan.core import data
from vaegan.core.args import RunArgs
from vaegan.core.model import mode
from vaegan.core.trainer import Trainer, check_finite
from vaegan.judge.classifier import MNISTClassifier
from vaegan.judge.metrics import confident_share

__all__ = ["ClassifierArgs", "ClassifierTrainer", "train_classifier", "non_digits", "accuracy"]


@dataclass
class ClassifierArgs(RunArgs):
    epochs: int = 6
    batch_size: int = 128
    lr: float = 2e-3
    shift: int = 2  # random translations of up to this many pixels: cheap augmentation
    outlier_weight: float = 0.5  # weight of the uniform-prediction loss on non-digits
    train_limit: int | None = None
    log_every: int = field(default=100, repr=False)  # steps between snapshots (the step count only)

    def __post_init__(self) -> None:
        need = self.require
        need(self.epochs >= 0 and self.batch_size >= 1 and self.lr > 0, "need epochs >= 0, batch_size >= 1 and lr > 0")
        need(self.shift >= 0 and self.outlier_weight >= 0, "shift and outlier_weight must be >= 0")
        need(self.train_limit is None or self.train_limit >= 1, f"train_limit must be None or >= 1, got {self.train_limit}")


def _shift(images: Tensor, shift: int, generator: torch.Generator) -> Tensor:
    """Translate every image by a random offset in [-shift, shift] (zero padding)."""
    if shift == 0:
        return images
    padded = F.pad(images, (shift,) * 4)
    offsets = torch.randint(0, 2 * shift + 1, (2,), generator=generator).tolist()  # one offset per batch: fast
    return padded[:, :, offsets[0] : offsets[0] + 28, offsets[1] : offsets[1] + 28]


def non_digits(images: Tensor, labels: Tensor, generator: torch.Generator) -> Tensor:
    """As many non-digit images as ``images``, in four kinds: uniform noise, sparse
    salt noise, smooth blobs, and two digits of different classes overlaid."""
    count = len(images)
    kind = torch.arange(count) % 4
    uniform = torch.rand(images.shape, generator=generator)
    salt = (torch.rand(images.shape, generator=generator) < 0.15).float()
    blobs = F.interpolate(torch.rand(count, 1, 7, 7, generator=generator), size=28, mode="bilinear", align_corners=False)
    blobs = (blobs > 0.6).float()
    partner = torch.randperm(count, generator=generator)
    overlaid = torch.maximum(images, images[partner])
    overlaid[labels == labels[partner]] = uniform[labels == labels[partner]]  # same digit twice is still a digit
    choices = torch.stack([uniform, salt, blobs, overlaid])  # (4, n, 1, 28, 28)
    return choices[kind, torch.arange(count)]


@torch.no_grad()
def accuracy(model: MNISTClassifier, test: data.ImageTensors | None = None) -> float:
    test = test if test is not None else data.mnist(train=False)
    with mode(model):
        correct = sum((model(images).argmax(1) == labels).sum().item() for images, labels in zip(test.images.split(2000), test.labels.split(2000)))
    return correct / len(test)


class ClassifierTrainer(Trainer):
    """One cross-entropy step on shifted digits, plus the outlier loss on fresh
    non-digits; a one-cycle learning-rate schedule over the whole run."""

    args_class = ClassifierArgs

    def training_images(self) -> data.ImageTensors:
        return data.mnist(train=True, limit=self.args.train_limit)

    def build(self) -> None:
        self.model = MNISTClassifier().to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.args.lr)
        total = max(1, self.args.epochs * len(self.loader))
        self.schedule = torch.optim.lr_scheduler.OneCycleLR(self.optimizer, self.args.lr, total_steps=total)

    def training_step(self, images: Tensor, labels: Tensor) -> dict[str, float]:
        # the augmentations are drawn on the CPU from the run's own generator: the same on every device
        shifted = _shift(images, self.args.shift, self.generator)
        loss = F.cross_entropy(self.model(shifted.to(self.device)), labels.to(self.device))
        if self.args.outlier_weight > 0:
            # cross-entropy to the uniform distribution over the ten digits
            outliers = self.model(non_digits(images, labels, self.generator).to(self.device)).log_softmax(dim=1)
            loss = loss - self.args.outlier_weight * outliers.mean()
        check_finite(loss, self.step + 1, "classifier")
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.schedule.step()
        self.step += 1
        return {"loss": loss.item()}

    @property
    def description(self) -> str:
        return "classifier"

    def evaluate(self, model: nn.Module) -> dict:
        """Test accuracy, and how often the classifier is confident (probability above
        0.9) on fresh non-digits, on uniform noise and on real test digits."""
        model = model.cpu()
        test = data.mnist(train=False)
        check = torch.Generator().manual_seed(self.args.seed + 1)
        return {
            "test_accuracy": accuracy(model, test),
            "confident_on_test_digits": confident_share(test.images, classifier=model),
            "confident_on_non_digits": confident_share(non_digits(test.images, test.labels, check), classifier=model),
            "confident_on_uniform_noise": confident_share(torch.rand(2000, 1, 28, 28, generator=check), classifier=model),
        }


def train_classifier(args: ClassifierArgs = ClassifierArgs()) -> tuple[MNISTClassifier, dict]:
    """Train from scratch; return the model and :meth:`ClassifierTrainer.evaluate`'s
    report."""
    trainer = ClassifierTrainer(args)
    model = trainer.train()
    return model, trainer.evaluate(model)
