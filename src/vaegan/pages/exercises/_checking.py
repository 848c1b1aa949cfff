"""What every checker shares: the verdict it returns, the note for an exercise not yet
attempted, and the comparison that names a typical mistake when it sees one.

A checker prints one line and returns a :class:`Verdict`. The verdict is true when the
answer is right, so a hidden cell can ``assert`` the package's own solution, and it
shows nothing in a notebook, so under an exercise cell the learner sees the checker's
line alone. A wrong answer raises an ``AssertionError`` whose message says what is
wrong; where the wrong answer is one of the mistakes the checker knows (``mistakes``),
the message names it.
"""

from __future__ import annotations

from typing import Callable, Mapping

import torch
from torch import Tensor, nn

__all__ = ["Verdict", "correct", "not_attempted", "unattempted", "compare", "call"]


class Verdict:
    """A checker's result: ``bool(verdict)`` is whether the answer passed."""

    def __init__(self, passed: bool, message: str) -> None:
        self.passed, self.message = passed, message

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"Verdict({'passed' if self.passed else 'not passed'}: {self.message!r})"

    def _ipython_display_(self) -> None:
        """Show nothing: the checker has already printed its message."""


def correct(message: str) -> Verdict:
    print(message)
    return Verdict(True, message)


def not_attempted(name: str) -> Verdict:
    message = f"{name}: not attempted yet. Write it, then run this cell again."
    print(message)
    return Verdict(False, message)


def unattempted(result) -> bool:
    """True for what an exercise cell gives before the learner writes anything: ``None``
    (a function whose body is still the placeholder) or a module with no parameters."""
    if result is None:
        return True
    if isinstance(result, nn.Module) and not any(True for _ in result.parameters()):
        return True
    return False


def call(name: str, function: Callable, *arguments, **keywords):
    """Call the learner's function; an exception inside it is re-raised with the
    exercise's name."""
    try:
        return function(*arguments, **keywords)
    except NotImplementedError:
        return None
    except Exception as error:  # the learner's code failed: say which exercise, keep the cause
        raise AssertionError(f"{name}: your code raised {type(error).__name__}: {error}") from error


def _close(got: Tensor, expected: Tensor, tolerance: float) -> bool:
    if got.shape != expected.shape:
        return False
    if expected.numel() == 0:
        return True
    scale = max(1.0, expected.abs().max().item())
    return (got.double() - expected.double()).abs().max().item() <= tolerance * scale


def compare(
    name: str, case: str, got, expected: Tensor, mistakes: Mapping[str, Tensor] | None = None, tolerance: float = 1e-4,
) -> None:
    """Raise an ``AssertionError`` unless ``got`` equals ``expected`` (to ``tolerance``,
    relative to the largest expected value when that exceeds 1). When ``got`` equals one
    of ``mistakes`` (description -> what that mistake gives), the message is that
    description."""
    if not isinstance(got, Tensor):
        raise AssertionError(f"{name} should return a tensor, got {type(got).__name__} ({case})")
    got = got.detach()
    if _close(got, expected, tolerance):
        return
    for description, wrong in (mistakes or {}).items():
        if _close(got, wrong.detach(), tolerance):
            raise AssertionError(f"{name}: {description} ({case})")
    if got.shape != expected.shape:
        raise AssertionError(f"{name}: shape {tuple(got.shape)}, expected {tuple(expected.shape)} ({case})")
    error = (got.double() - expected.double()).abs().max().item()
    raise AssertionError(f"{name}: values differ from the expected ones by up to {error:.3g} ({case})")


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)
