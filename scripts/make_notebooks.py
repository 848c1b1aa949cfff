"""Generate the Colab notebooks from the MyST chapters (one way: .md -> .ipynb).

    python scripts/make_notebooks.py            # write notebooks/*.ipynb
    python scripts/make_notebooks.py --check    # exit 1 if any committed notebook is stale

The chapters in book/chapters/*.md are the only source; never edit notebooks/ by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "book" / "chapters"
NOTEBOOKS = ROOT / "notebooks"


def render(chapter: Path) -> str:
    """The .ipynb text jupytext produces for ``chapter`` (without outputs)."""
    notebook = jupytext.read(chapter, fmt="md:myst")
    notebook.metadata.pop("jupytext", None)  # no local paths or tool versions in the committed file
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"  # nbformat would draw random ids, and every run would differ
    return jupytext.writes(notebook, fmt="ipynb")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale notebooks instead of writing")
    args = parser.parse_args()
    stale = []
    NOTEBOOKS.mkdir(exist_ok=True)
    chapters = sorted(CHAPTERS.glob("*.md"))
    for chapter in chapters:
        target = NOTEBOOKS / (chapter.stem + ".ipynb")
        text = render(chapter)
        if args.check:
            if not target.exists() or target.read_text() != text:
                stale.append(target.relative_to(ROOT))
        else:
            target.write_text(text)
    orphans = {p.stem for p in NOTEBOOKS.glob("*.ipynb")} - {c.stem for c in chapters}
    if orphans:
        stale.extend(f"notebooks/{name}.ipynb (no chapter)" for name in sorted(orphans))
    if stale:
        print("stale notebooks, run `make notebooks`:", *stale, sep="\n  ", file=sys.stderr)
        return 1
    print(f"{len(chapters)} notebook(s) {'up to date' if args.check else 'written'} in notebooks/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
