"""Numbers from a run, put into the page's prose: myst-nb's ``glue``, safe where myst-nb
is absent.

A sentence that states a measured number writes it as
``{glue:text}`name:format```, and a code cell gives the value with ``glue(name,
value)``. The website's build fills the sentence from the run it just made, so text and output cannot disagree (a missing name fails the strict build). In Colab or a plain Jupyter, where myst-nb is not installed, ``glue``
only keeps the value in :data:`GLUED`, and the role is shown as written.
"""

from __future__ import annotations

__all__ = ["glue", "GLUED"]

#: every value glued in this kernel, by name (what a test or a curious reader can look at)
GLUED: dict[str, object] = {}


def glue(name: str, value, display: bool = False):
    """Give the page's prose the value ``name`` (numbers as plain Python numbers, so a
    format spec such as ``:.1%`` applies); returns ``value``."""
    if not name.isidentifier():
        raise ValueError(f"a glue name must be an identifier (letters, digits, underscores), got {name!r}")
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()  # a 0-d tensor or numpy scalar becomes a number the role can format
    GLUED[name] = value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return value
    myst_glue(name, value, display=display)
    return value
