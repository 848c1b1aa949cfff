"""Where a notebook runs: inside the book's source tree, as the site build runs the
chapters, or anywhere else (Jupyter, Colab, a script). The site build differs in two
ways: explorers write their frames and networks into the site as files, and progress
bars are text, since a static page has no widget manager to draw tqdm's notebook
widget."""

from __future__ import annotations

from pathlib import Path

__all__ = ["book_assets"]


def book_assets(start: Path | None = None) -> Path | None:
    """The book's ``book/assets`` folder (published as the site's ``_static``) when
    ``start`` (default: the working directory, a chapter's folder in the site build) is
    a folder of the book's source tree beside it; None elsewhere. The tree is recognised
    by the site's stylesheet."""
    here = Path.cwd() if start is None else Path(start)
    assets = here.parent / "assets"
    return assets if (assets / "vaegan.css").exists() else None
