"""Code a chapter shows with ``show_source`` fits the page's column: no line over 88 characters.

The chapters' own visible code keeps to 88 (black's default, which the site's code blocks show
without a scroll bar); the package's functions that a chapter shows as a solution are read in the
same column, so they keep to it too (the rest of the package may use 120)."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import vaegan

ROOT = Path(__file__).resolve().parents[1]
SHOWN = re.compile(r"show_source\(([^)]*)\)")
WIDTH = 88


def _namespace() -> dict:
    """Every public module of the package by its last name, and every class and function by its name."""
    names = {}
    for info in pkgutil.walk_packages(vaegan.__path__, "vaegan."):
        if info.name.split(".")[-1].startswith("_") and not info.name.endswith("__main__"):
            continue
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        names.setdefault(info.name.split(".")[-1], module)
        for name, value in vars(module).items():
            if (inspect.isclass(value) or inspect.isfunction(value)) and getattr(value, "__module__", "").startswith("vaegan"):
                names.setdefault(name, value)
    return names


def shown_objects():
    names = _namespace()
    for chapter in sorted((ROOT / "book" / "chapters").glob("*.md")):
        for arguments in SHOWN.findall(chapter.read_text()):
            for dotted in filter(None, (a.strip() for a in arguments.split(","))):
                first, *rest = dotted.split(".")
                assert first in names, f"{chapter.name}: show_source({dotted}): no {first} in the package"
                value = names[first]
                for part in rest:
                    value = getattr(value, part)
                yield chapter.name, dotted, value


def test_every_function_a_chapter_shows_fits_88_columns():
    shown = list(shown_objects())
    assert len(shown) > 40  # the exercises' solutions and the chapters' model code
    too_wide = []
    for chapter, dotted, value in shown:
        value = inspect.unwrap(value)  # a decorated function: its own lines, not the decorator's
        lines, start = inspect.getsourcelines(value)
        for offset, line in enumerate(lines):
            if len(line.rstrip("\n")) > WIDTH:
                too_wide.append(f"{chapter}: {dotted}, {inspect.getsourcefile(value)}:{start + offset} "
                                f"({len(line.rstrip())} characters)")
    assert not too_wide, "lines wider than the page's code column:\n" + "\n".join(too_wide)
