"""A small MNIST classifier: the book's objective judge of generated digits.

Three convolutions and two linear layers, about 49,000 parameters (200 KB of
weights, committed in ``vaegan/weights/``), above 99% test accuracy. Its
64-number penultimate layer is the feature space of the Frechet distance in
:mod:`vaegan.metrics`.

A plain classifier is confidently wrong on inputs unlike its training data: one
trained on digits alone calls most images of uniform noise a confident digit.
A judge of generated images must not, so training also shows it non-digits
(noise of several kinds, and two different digits overlaid) and asks for a uniform
prediction on them ("outlier exposure", Hendrycks et al., 2019).

Re-create the weights with::

    python -m vaegan train classifier --out src/vaegan/weights
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from einops.layers.torch import Rearrange
from torch import Tensor, nn

from vaegan import data
from vaegan.book_model import BookModel
from vaegan.reproducibility import seed_everything

__all__ = ["MNISTClassifier", "ClassifierArgs", "train_classifier", "load_classifier", "accuracy", "WEIGHTS"]

WEIGHTS = Path(__file__).parent / "weights" / "classifier"


class MNISTClassifier(BookModel):
    """``(b, 1, 28, 28)`` pixels in [0, 1] -> ``(b, 10)`` logits; ``features`` gives the ``(b, 64)`` layer before."""

    image_shape = (1, 28, 28)

    def __init__(self, feature_size: int = 64) -> None:
        super().__init__()
        self.config = {"feature_size": feature_size}
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 7x7
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),  # 5x5 -> 2x2
            Rearrange("b c h w -> b (c h w)"),
            nn.Linear(64 * 2 * 2, feature_size), nn.ReLU(),
        )
        self.head = nn.Linear(feature_size, 10)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


@dataclass
class ClassifierArgs:
    epochs: int = 6
    batch_size: int = 128
    lr: float = 2e-3
    shift: int = 2  # random translations of up to this many pixels: cheap augmentation
    outlier_weight: float = 0.5  # weight of the uniform-prediction loss on non-digits
    train_limit: int | None = None
    seed: int = 0
    progress: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


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
    model.eval()
    correct = sum(
        (model(test.images[i : i + 2000]).argmax(1) == test.labels[i : i + 2000]).sum().item()
        for i in range(0, len(test), 2000)
    )
    return correct / len(test)


def train_classifier(args: ClassifierArgs = ClassifierArgs()) -> tuple[MNISTClassifier, dict]:
    """Train from scratch; return the model, its test accuracy and how often it is
    confident (probability above 0.9) on fresh non-digits and on real test digits."""
    from tqdm.auto import tqdm

    generator = seed_everything(args.seed)
    train = data.mnist(train=True, limit=args.train_limit)
    loader = data.TensorLoader(train, args.batch_size, shuffle=True, seed=args.seed)
    model = MNISTClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=max(1, args.epochs * len(loader)))
    model.train()
    for _ in tqdm(range(args.epochs), desc="classifier epochs", disable=not args.progress):
        for images, labels in loader:
            loss = F.cross_entropy(model(_shift(images, args.shift, generator)), labels)
            if args.outlier_weight > 0:
                # cross-entropy to the uniform distribution over the ten digits
                outliers = model(non_digits(images, labels, generator)).log_softmax(dim=1)
                loss = loss - args.outlier_weight * outliers.mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            schedule.step()
    from vaegan.metrics import confident_share  # metrics imports this module: import late

    model.eval()
    test = data.mnist(train=False)
    check = torch.Generator().manual_seed(args.seed + 1)
    report = {
        "test_accuracy": accuracy(model, test),
        "confident_on_test_digits": confident_share(test.images, classifier=model),
        "confident_on_non_digits": confident_share(non_digits(test.images, test.labels, check), classifier=model),
        "confident_on_uniform_noise": confident_share(torch.rand(2000, 1, 28, 28, generator=check), classifier=model),
    }
    return model, report


@lru_cache(maxsize=1)
def load_classifier() -> MNISTClassifier:
    """The committed classifier (loaded once per process), in eval mode on the CPU."""
    from vaegan.checkpoints import load_checkpoint  # checkpoints rebuilds models: import late

    model, _ = load_checkpoint(WEIGHTS, MNISTClassifier())
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model.eval()
