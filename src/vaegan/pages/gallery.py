"""The introduction's gallery: what the reader will build, drawn from the committed
models.

Every image is generated at build time by a checkpoint in ``vaegan/weights`` (or, for
the autoregressive models, taken from the sample set stored beside it, which took
minutes to draw), with fixed seeds, so the gallery changes exactly when a committed
model does. The site build calls :func:`write_gallery` (``book/_ext/vaegan_site.py``);
nothing here trains or reads data.
"""

from __future__ import annotations

import os
from pathlib import Path

from vaegan.core.checkpoints import PRETRAINED, atomic_file, load_samples

__all__ = ["GALLERY", "gallery_figure", "write_gallery"]

# (checkpoint, chapter, what it is, how many images): one row of the gallery each
GALLERY = [
    ("vae", 3, "a convolutional VAE's decoded N(0, I) codes", 12),
    ("celeba_vae", 3, "a VAE on faces: decoded N(0, I) codes", 8),
    ("dcgan_mnist_reference", 6, "the reference DCGAN's samples", 12),
    ("celeba_dcgan_reference", 6, "the reference face DCGAN's samples", 8),
    ("pixel_lstm_reference", 7, "the reference pixel LSTM's samples, drawn pixel by pixel", 12),
    ("pixelcnn_reference", 7, "the reference PixelCNN's samples, drawn pixel by pixel", 12),
]


def _images(name: str, count: int, folder: Path):
    from vaegan.registry import load_pretrained

    if name.startswith(("pixelcnn", "pixel_lstm")):  # drawn pixel by pixel: the stored sample sets
        return load_samples(folder / name)["images"][:count]
    model, _ = load_pretrained(name, folder=folder)
    return model.sample_images(count, seed=0)


def gallery_figure(folder: Path = PRETRAINED):
    """One figure with a row of samples from each model in :data:`GALLERY`, titled with
    its chapter."""
    from vaegan.pages.plotting import Grid, image_panels

    panels = [
        Grid(_images(name, count, folder), nrow=count, title=f"Chapter {chapter}: {what}")
        for name, chapter, what, count in GALLERY
    ]
    figure, _ = image_panels(panels, gap=14)
    return figure


def write_gallery(path: str | os.PathLike, folder: Path = PRETRAINED) -> Path:
    """Render :func:`gallery_figure` to the PNG ``path`` at twice its page size, in one
    atomic step."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from vaegan.pages.plotting import FIGURE_DPI

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = gallery_figure(folder)
    try:
        with atomic_file(path) as partial:
            figure.savefig(partial, format="png", dpi=2 * FIGURE_DPI, bbox_inches="tight", facecolor="white")
    finally:
        plt.close(figure)
    return path
