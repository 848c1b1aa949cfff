"""Small helpers for the chapters' notebooks."""

from __future__ import annotations

import inspect

__all__ = ["show_source"]


def show_source(*objects):
    """Display the source of package functions or classes, syntax-highlighted.

    The chapters' exercise solutions are shown this way: the solution a reader
    sees *is* the package's code, so the two can never drift apart.
    """
    from IPython.display import Code

    if not objects:
        raise ValueError("show_source needs at least one function or class")
    return Code("\n\n".join(inspect.getsource(obj) for obj in objects), language="python")
