"""MNIST and CelebA, found locally or downloaded, and served fast.

Where data is looked for, first match wins:

1. the ``root`` argument of a loader;
2. the environment variable ``VAEGAN_DATA_DIR``;
3. a per-user cache folder (``$XDG_CACHE_HOME/vaegan`` or ``~/.cache/vaegan``).

Inside that folder MNIST lives in ``MNIST/raw/`` (torchvision's layout) and
CelebA in ``celeba/img_align_celeba/*.jpg`` (an ImageFolder with one class).

Missing files are downloaded when the network is reachable (MNIST through
torchvision, CelebA through Hugging Face ``datasets``).  Without a network the
loaders fail within seconds with a :class:`DataNotFoundError` that names the
folder searched and how to fill it.

MNIST is small (47 MB as bytes), so it is decoded once into a single tensor and
batches are slices of it: no per-image PIL work in the training loop.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Literal

import torch
from torch import Tensor

from vaegan.core.network import network_available
from vaegan.core.scales import SCALES, Scale, binarize, scale_images

__all__ = [
    "DATA_DIR_VARIABLE",
    "DataError",
    "DataNotFoundError",
    "DataCorruptError",
    "ImageTensors",
    "TensorLoader",
    "data_dir",
    "mnist",
    "holdout_digits",
    "celeba",
    "export_images",
    "celeba_tensors",
    "binarized_mnist",
]

DATA_DIR_VARIABLE = "VAEGAN_DATA_DIR"
CELEBA_HF_NAME = "nielsr/CelebA-faces"

# Sizes of torchvision's uncompressed IDX files; a different size means a truncated or foreign file.
MNIST_FILES = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}


class DataError(RuntimeError):
    """Base class for data problems, each message says how to fix it."""


class DataNotFoundError(DataError, FileNotFoundError):
    pass


class DataCorruptError(DataError):
    pass


# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder data is read from (and downloaded into): ``root`` >
    ``$VAEGAN_DATA_DIR`` > the per-user cache."""
    if root is not None:
        return Path(root).expanduser()
    from_environment = os.environ.get(DATA_DIR_VARIABLE)
    if from_environment:
        return Path(from_environment).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "vaegan"


def _where(root) -> str:
    if root is not None:
        return "the root argument"
    if os.environ.get(DATA_DIR_VARIABLE):
        return f"${DATA_DIR_VARIABLE}"
    return f"the default cache (${DATA_DIR_VARIABLE} is not set)"


# ---------------------------------------------------------------------------
# In-memory image tensors
# ---------------------------------------------------------------------------


@dataclass
class ImageTensors(torch.utils.data.Dataset):
    """A labelled image set held as two tensors: ``images (n, c, h, w)`` float32,
    ``labels (n,)``."""

    images: Tensor
    labels: Tensor
    scale: str = "unit"

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index):
        return self.images[index], self.labels[index]

    def subset(self, count: int) -> "ImageTensors":
        """The first ``count`` images (a fixed, reproducible subset)."""
        if count <= 0:
            raise ValueError(f"subset size must be positive, got {count}")
        return ImageTensors(self.images[:count], self.labels[:count], self.scale)


class TensorLoader:
    """Batches that are slices of in-memory tensors: a DataLoader without the
    per-item Python overhead.  Shuffles with its own seeded generator, so the
    order depends only on ``seed`` and the epoch."""

    def __init__(
        self, dataset: ImageTensors, batch_size: int, shuffle: bool = True, seed: int = 0, drop_last: bool = False
    ) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full if (self.drop_last or rest == 0) else full + 1

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        count = len(self.dataset)
        order = torch.randperm(count, generator=self.generator) if self.shuffle else None
        for start in range(0, count, self.batch_size):
            stop = min(start + self.batch_size, count)
            if self.drop_last and stop - start < self.batch_size:
                return
            if order is None:
                yield self.dataset.images[start:stop], self.dataset.labels[start:stop]
            else:
                index = order[start:stop]
                yield self.dataset.images[index], self.dataset.labels[index]


# ---------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------


CHECKSUM_FILE = "checksums.sha256"


@lru_cache(maxsize=8)
def _checksums(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` from ``folder/checksums.sha256`` (``sha256sum``'s
    format), or {} when the folder has none. Read once per process."""
    listing = folder / CHECKSUM_FILE
    if not listing.is_file():
        return {}
    table = {}
    for line in listing.read_text().splitlines():
        digest, _, name = line.strip().partition("  ")
        if len(digest) == 64 and name:
            table[name.lstrip("*")] = digest
    return table


@lru_cache(maxsize=None)
def _verified(path: Path, size: int, modified: int, expected: str) -> bool:
    """Whether the file's SHA-256 is ``expected``; cached per (path, size, mtime), so a
    process hashes each file once however often it loads it."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest() == expected


def verify_checksums(folder: Path, files) -> None:
    """Check ``files`` (inside ``folder``) against ``folder/checksums.sha256`` where it
    lists them; a file whose content differs is reported with its name and the fix.
    Without a checksum file nothing is checked."""
    table = _checksums(folder)
    if not table:
        return
    for file in files:
        file = Path(file)
        name = file.relative_to(folder).as_posix()
        if name in table:
            status = file.stat()
            if not _verified(file, status.st_size, status.st_mtime_ns, table[name]):
                raise DataCorruptError(
                    f"{file} does not match its checksum in {folder / CHECKSUM_FILE}: the file is damaged or not the "
                    f"official one. Restore it (or delete it and download it again online); check the folder with "
                    f"`cd {folder} && sha256sum -c --quiet {CHECKSUM_FILE}`."
                )


def _check_mnist_files(raw: Path) -> list[str]:
    """Names of missing files; raises DataCorruptError for a file of the wrong size."""
    missing = []
    for name, size in MNIST_FILES.items():
        path = raw / name
        if not path.exists():
            missing.append(name)
        elif path.stat().st_size != size:
            raise DataCorruptError(
                f"MNIST file {path} has {path.stat().st_size:,} bytes, expected {size:,}: it is truncated or "
                f"not the official file. Delete it (it will be downloaded again when online) or restore it; "
                f"if the folder has a checksums.sha256, check it with `sha256sum -c checksums.sha256`."
            )
    return missing


def _download_mnist(root: Path) -> None:
    from torchvision import datasets

    root.mkdir(parents=True, exist_ok=True)
    for train in (True, False):
        datasets.MNIST(str(root), train=train, download=True)


def mnist(
    train: bool = True,
    root: str | os.PathLike | None = None,
    scale: Scale = "unit",
    limit: int | None = None,
    download: bool = True,
) -> ImageTensors:
    """MNIST as one in-memory tensor ``(n, 1, 28, 28)`` with labels ``(n,)``.

    ``limit`` keeps the first ``limit`` images (the smoke profile's subsets).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(map(repr, SCALES))}")
    if limit is not None and limit <= 0:
        raise ValueError(f"limit must be positive or None, got {limit}")
    folder = data_dir(root)
    raw = folder / "MNIST" / "raw"
    missing = _check_mnist_files(raw)
    if missing:
        if not download:
            raise DataNotFoundError(
                f"MNIST is not in {raw} (from {_where(root)}); missing {', '.join(missing)}. "
                f"Set {DATA_DIR_VARIABLE} to a folder that contains MNIST/raw/, or pass download=True while online."
            )
        if not network_available("ossci-datasets.s3.amazonaws.com"):
            raise DataNotFoundError(
                f"MNIST is not in {raw} (from {_where(root)}); missing {', '.join(missing)}, and there is no "
                f"network to download it. Fix: set {DATA_DIR_VARIABLE} to a folder that contains MNIST/raw/ "
                f"with the four uncompressed IDX files, or run once with a network connection so that "
                f"torchvision downloads them into {folder}."
            )
        _download_mnist(folder)
        _check_mnist_files(raw)
    verify_checksums(folder, [raw / name for name in MNIST_FILES])

    from torchvision import datasets

    try:
        source = datasets.MNIST(str(folder), train=train, download=False)
    except Exception as error:  # torchvision raises bare RuntimeErrors on bad headers
        raise DataCorruptError(
            f"could not read MNIST from {raw}: {error}. Delete the files and download them again."
        ) from error
    images, labels = source.data, source.targets
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return ImageTensors(scale_images(images.unsqueeze(1), scale), labels.clone(), scale)


def binarized_mnist(
    train: bool = False, seed: int = 0, root: str | os.PathLike | None = None, limit: int | None = None
) -> ImageTensors:
    """MNIST binarised once: every pixel drawn as Bernoulli(intensity) with a fixed
    ``seed``, so that every evaluation (and every reader) scores the same 0/1 images.
    The ELBO chapter's test set is ``binarized_mnist(train=False, seed=0)``."""
    digits = mnist(train=train, root=root, scale="unit")
    images = binarize(digits.images, torch.Generator().manual_seed(seed))
    binary = ImageTensors(images, digits.labels, "unit")
    return binary.subset(limit) if limit is not None else binary


def holdout_digits(
    root: str | os.PathLike | None = None, scale: Scale = "unit"
) -> tuple[Tensor, Tensor]:
    """One test image of each digit, 0 to 9 (the first of each class in the test
    set): ``images (10, 1, 28, 28)``, ``labels (10,)``.  Trainers decode these
    at intervals to show reconstructions improving."""
    test = mnist(train=False, root=root, scale=scale)
    indices = [int(torch.nonzero(test.labels == digit)[0]) for digit in range(10)]
    return test.images[indices], test.labels[indices]


# ---------------------------------------------------------------------------
# CelebA
# ---------------------------------------------------------------------------


def export_images(rows, folder: str | os.PathLike, limit: int | None = None, quality: int = 95) -> int:
    """Save the ``"image"`` of each row (PIL images, as Hugging Face datasets give
    them) as ``000001.jpg``, ``000002.jpg``, ... in ``folder``; return the count."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for count, row in enumerate(rows, start=1):
        row["image"].convert("RGB").save(folder / f"{count:06d}.jpg", quality=quality)
        if limit is not None and count >= limit:
            break
    return count


def _download_celeba(target: Path, limit: int | None) -> None:
    from datasets import load_dataset

    rows = load_dataset(CELEBA_HF_NAME, split="train", streaming=limit is not None)
    export_images(rows, target / "img_align_celeba", limit=limit)


def celeba(
    root: str | os.PathLike | None = None,
    image_size: int = 64,
    folder: str = "celeba",
    download: bool = True,
    download_limit: int | None = None,
):
    """Aligned CelebA faces as a torchvision ``ImageFolder``: each item is a
    ``(3, image_size, image_size)`` tensor in [-1, 1] (resize the short side,
    centre-crop) and the label 0.

    ``folder`` picks the sub-folder of the data folder (``celeba`` or ``celeba_89x109``
    for the offline copies).  When it is missing and the network is up, the faces are
    fetched from the Hugging Face hub (``nielsr/CelebA-faces``) and saved as JPEGs in
    the same layout.
    """
    if image_size <= 0:
        raise ValueError(f"image_size must be positive, got {image_size}")
    base = data_dir(root) / folder
    images = base / "img_align_celeba"
    if not (images.is_dir() and any(images.glob("*.jpg"))):
        if not download:
            raise DataNotFoundError(
                f"no CelebA JPEGs in {images} (from {_where(root)}). Set {DATA_DIR_VARIABLE} to a folder "
                f"with {folder}/img_align_celeba/*.jpg, or pass download=True while online."
            )
        if not network_available("huggingface.co"):
            raise DataNotFoundError(
                f"no CelebA JPEGs in {images} (from {_where(root)}), and there is no network to download "
                f"them. Fix: set {DATA_DIR_VARIABLE} to a folder with {folder}/img_align_celeba/*.jpg "
                f"(aligned CelebA faces), or run once online so that the faces are fetched from the "
                f"Hugging Face hub ({CELEBA_HF_NAME}) into {images}."
            )
        _download_celeba(base, download_limit)

    from torchvision import datasets, transforms

    transform = transforms.Compose(
        [
            transforms.Resize(image_size),
            transforms.CenterCrop(image_size),
            transforms.ToTensor(),
            transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
        ]
    )
    return datasets.ImageFolder(str(base), transform=transform)


CELEBA_FOLDERS = ("celeba", "celeba_89x109")


def _face_files(root, folders: tuple[str, ...]) -> list[Path]:
    """Every face JPEG in ``folders``, one per CelebA id (the first folder wins), sorted
    by id."""
    chosen: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((data_dir(root) / folder / "img_align_celeba").glob("*.jpg")):
            chosen.setdefault(path.name, path)
    return [chosen[name] for name in sorted(chosen)]


def _load_face(path: Path, image_size: int) -> Tensor:
    from PIL import Image

    try:
        return _decode_face(path, image_size)
    except (OSError, ValueError, Image.DecompressionBombError) as error:  # truncated, not a JPEG, absurdly large
        raise DataCorruptError(
            f"could not decode the CelebA image {path}: {error}. Delete or replace the file "
            f"(the data folder's checksums.sha256, where there is one, says which files are damaged)."
        ) from error


def _decode_face(path: Path, image_size: int) -> Tensor:
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", (image_size, image_size))  # let libjpeg decode at a reduced size: much faster
        image = image.convert("RGB")
        scale = image_size / min(image.size)
        width, height = max(image_size, round(image.width * scale)), max(image_size, round(image.height * scale))
        image = image.resize((width, height), Image.BILINEAR, reducing_gap=2.0)
        left, top = (width - image_size) // 2, (height - image_size) // 2
        image = image.crop((left, top, left + image_size, top + image_size))
        return torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(image_size, image_size, 3)


def celeba_tensors(
    split: Literal["train", "test"] = "train",
    root: str | os.PathLike | None = None,
    image_size: int = 64,
    limit: int | None = None,
    test_size: int = 500,
    folders: tuple[str, ...] = CELEBA_FOLDERS,
) -> ImageTensors:
    """The offline CelebA faces as one in-memory tensor
    ``(n, 3, image_size, image_size)`` in [-1, 1] (``symmetric`` scale, the range of a
    tanh output), for fast training.

    All JPEGs of ``folders`` are pooled (one per CelebA id) and sorted by id; the
    last ``test_size`` are the test split, the rest the training split.  Short side
    resized, then centre-cropped, as :func:`celeba` does.  Labels are all 0.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if image_size <= 0 or test_size <= 0:
        raise ValueError(f"image_size and test_size must be positive, got {image_size} and {test_size}")
    if limit is not None and limit <= 0:
        raise ValueError(f"limit must be positive or None, got {limit}")
    files = _face_files(root, folders)
    if len(files) <= test_size:
        raise DataNotFoundError(
            f"found {len(files)} CelebA JPEGs in {', '.join(f'{data_dir(root) / f}/img_align_celeba' for f in folders)} "
            f"(from {_where(root)}), but a {test_size}-face test split needs more. Set {DATA_DIR_VARIABLE} to the "
            f"folder with celeba/img_align_celeba/*.jpg, or fetch faces online with vaegan.core.data.celeba()."
        )
    files = files[:-test_size] if split == "train" else files[-test_size:]
    if limit is not None:
        files = files[:limit]
    verify_checksums(data_dir(root), files)
    pixels = torch.stack([_load_face(path, image_size) for path in files])
    images = pixels.permute(0, 3, 1, 2).contiguous()  # "n h w c -> n c h w"
    return ImageTensors(scale_images(images, "symmetric"), torch.zeros(len(files), dtype=torch.long), "symmetric")
