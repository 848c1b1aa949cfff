"""Progress bars for training and evaluation loops."""

from __future__ import annotations

import sys

from vaegan.core.site import book_assets

__all__ = ["progress_bar"]


def progress_bar(*args, **kwargs):
    """A tqdm bar: the notebook widget in Jupyter and Colab, text at a terminal, and on
    the book's pages (the site build) text on standard output, redrawn every few
    seconds: the page keeps its last line, where a widget would leave an empty box and
    its state in the HTML."""
    if book_assets() is not None:
        from tqdm.std import tqdm

        kwargs.setdefault("file", sys.stdout)
        kwargs.setdefault("mininterval", 5.0)
        kwargs.setdefault("ncols", 88)
        return tqdm(*args, **kwargs)
    from tqdm.auto import tqdm

    return tqdm(*args, **kwargs)
