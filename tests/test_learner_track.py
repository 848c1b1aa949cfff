"""The learner's track, checked on the chapters' sources: enough exercises, each in the full shape
(task, hint, a cell to fill with its checker, the package's solution, a hidden check of that
solution); enough self-check questions; an opening box per chapter; and hidden checks that cannot
stop a learner who runs another profile than the one the page's numbers were written for."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.md"))
EXERCISE = re.compile(r"^(?::{3,}\{admonition\}\s*(?:Bonus exercise|Exercise)\b|#{2,4}\s+Exercise\b)", re.MULTILINE)


def cells(chapter: Path):
    return jupytext.read(chapter, fmt="md:myst").cells


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercises(chapter: Path) -> list[tuple[str, list]]:
    """``[(title, the cells from its statement up to the next exercise or section)]``."""
    found, current = [], None
    for cell in cells(chapter):
        source = cell["source"]
        if cell["cell_type"] == "markdown":
            starts = list(EXERCISE.finditer(source))
            if starts:
                # one markdown cell may end one exercise's part and start another's
                for match in starts:
                    current = (source[match.start():].splitlines()[0], [cell])
                    found.append(current)
                continue
            if current and re.search(r"^#{1,3} ", source, re.MULTILINE) and not source.lstrip().startswith(":::"):
                current = None  # a new section ends the exercise
        if current:
            current[1].append(cell)
    return found


def questions(chapter: Path) -> int:
    count = 0
    for cell in cells(chapter):
        if cell["cell_type"] == "code" and "quiz(" in cell["source"]:
            assert "remove-input" in tags(cell), f"{chapter.name}: a quiz cell should hide its code (tags: [remove-input])"
            count += len(re.findall(r"\b(?:choice|number)\(", cell["source"]))
    return count


def test_every_chapter_has_at_least_three_exercises_and_the_book_28():
    counts = {chapter.stem: len(exercises(chapter)) for chapter in CHAPTERS}
    assert all(count >= 3 for count in counts.values()), counts
    assert sum(counts.values()) >= 28, counts


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_exercise_has_a_hint_a_cell_to_fill_a_checker_and_the_package_solution(chapter):
    for title, block in exercises(chapter):
        markdown = "\n".join(cell["source"] for cell in block if cell["cell_type"] == "markdown")
        code = [cell for cell in block if cell["cell_type"] == "code"]
        assert ":class: dropdown" in markdown, f"{chapter.name}: {title}: no hint in a dropdown"
        learner = [c for c in code if "YOUR CODE HERE" in c["source"] and re.search(r"\bcheck_\w+\(", c["source"])]
        assert learner, f"{chapter.name}: {title}: no cell for the learner that calls its checker"
        assert not any(re.search(r"^\s*assert\b", c["source"], re.MULTILINE) for c in learner), (
            f"{chapter.name}: {title}: the learner's cell must not assert (an unfilled exercise prints a note only)"
        )
        solutions = [c for c in code if "show_source(" in c["source"]]
        assert solutions, f"{chapter.name}: {title}: the solution must be the package's code, shown with show_source"
        assert any("hide-output" in tags(c) or "hide-input" in tags(c) for c in solutions), f"{chapter.name}: {title}: the solution is not collapsed"
        hidden = [c for c in code if "remove-cell" in tags(c) and re.search(r"assert\s+(exercises\.)?check_\w+\(", c["source"])]
        assert hidden, f"{chapter.name}: {title}: no hidden check that the package's solution passes its checker"


def test_every_chapter_has_three_questions_and_the_book_25():
    counts = {chapter.stem: questions(chapter) for chapter in CHAPTERS}
    assert all(count >= 3 for count in counts.values()), counts
    assert sum(counts.values()) >= 25, counts


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_opens_with_objectives_prerequisites_and_time(chapter):
    text = chapter.read_text()
    box = re.search(r"^:::\{admonition\} In this chapter\n(.*?)^:::$", text, re.MULTILINE | re.DOTALL)
    assert box, f"{chapter.name}: no 'In this chapter' box"
    for part in ("**You will learn**", "**Before you start**", "**Time**"):
        assert part in box.group(1), f"{chapter.name}: the opening box lacks {part}"
    assert text.index(box.group(0)) < text.index("```{code-cell}"), f"{chapter.name}: the box must come before the first code cell"


# --- hidden checks in every profile ------------------------------------------------------------------
#
# The rule, checkable on the source: an `assert` whose test orders two values (<, <=, >, >=) compares a
# measured number with a threshold, and the thresholds were measured in the smoke and book profiles.
# Such an assert must sit under an `if` that names PROFILE (it runs only where its numbers hold), or
# say on its line why it holds in any profile (`# any profile: <why>`: exact maths, committed weights).
# Otherwise it must be a `claim(...)` (vaegan.pages.claims), which prints a note in the full profile.

ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def unguarded_orderings(source: str) -> list[str]:
    tree = ast.parse(source)
    lines = source.splitlines()
    found = []

    def visit(node, guarded: bool):
        if isinstance(node, ast.If):
            names_profile = "PROFILE" in ast.unparse(node.test)
            for child in node.body:
                visit(child, guarded or names_profile)
            for child in node.orelse:
                visit(child, guarded or names_profile)
            return
        if isinstance(node, ast.Assert):
            orders = any(isinstance(op, ORDERING) for part in ast.walk(node.test) if isinstance(part, ast.Compare) for op in part.ops)
            text = "\n".join(lines[node.lineno - 1:node.end_lineno])
            if orders and not guarded and "# any profile:" not in text:
                found.append(text.strip())
            return
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(tree, False)
    return found


def test_the_rule_catches_a_planted_unguarded_threshold():
    planted = "share = 0.4\nassert share > 0.3, share\n"
    assert unguarded_orderings(planted) == ["assert share > 0.3, share"]
    assert unguarded_orderings("if PROFILE == 'book':\n    assert share > 0.3\n") == []
    assert unguarded_orderings("assert abs(a - b) < 1e-6  # any profile: exact maths\n") == []
    assert unguarded_orderings("claim(share > 0.3, 'the samples are digits', share)\n") == []
    assert unguarded_orderings("assert exercises.check_kl(kl)\nassert x == 3\n") == []
    assert unguarded_orderings("for a in b:\n    assert a <= 1\n") == ["assert a <= 1"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_hidden_checks_hold_in_every_profile_or_are_guarded(chapter):
    offending = []
    for cell in cells(chapter):
        if cell["cell_type"] == "code" and not cell["source"].lstrip().startswith(("%", "!")):
            offending += unguarded_orderings(cell["source"])
    assert not offending, (
        f"{chapter.name}: these asserts compare a run's number with a threshold in every profile; guard them with "
        f"`if PROFILE == ...`, make them claim(...), or say why they hold anywhere (`# any profile: ...`):\n"
        + "\n".join(offending)
    )
