"""Prose cannot disagree with the run: a number a run produces is glued into the sentence, not typed.

The rule, checked on every chapter's markdown (outside maths, code spans, glue roles and link
targets): a token that looks like a measured or recipe number must be either a glue role
(``{glue:text}`name:format```, filled from the run at build time) or declared in the chapter's
front matter, under ``vaegan: prose_constants:``, as a constant of the method, the data or a paper
(MNIST's mean 0.1307, Adam's 0.999, a published 81.3 nats). The tokens that look like run
numbers are: decimals (42.4, 0.0457), percentages (41%), counts out of a total (17 of 32, 7/10),
and the sizes a recipe sets (two epochs, batches of 128, 938 steps, 1,000 samples).
A digit written by hand in such a place is how "batches of 512" came to sit beside a printed
``batch_size=128``.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.md"))
COUNT = r"(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|twenty)"
RUN_LIKE = [
    r"(?<![\w.])\d[\d,]*\.\d+(?:\s?%)?",  # a decimal
    r"(?<![\w.])\d[\d,]*\s?%",  # a percentage
    r"(?<![\w.])\d[\d,]* (?:of|out of) \d[\d,]*",  # a count out of a total
    r"(?<![\w./])\d+/\d+(?![\w.])",  # 7/10
    rf"\b{COUNT} epochs?\b",
    r"\bbatch(?:es)? of \d[\d,]*",
    r"(?<![\w.])\d[\d,]* (?:steps|samples|digits|images|faces)\b",
]


def prose(markdown: str) -> str:
    """The text a reader reads as sentences: without maths, code spans, glue roles, link targets
    and directive options."""
    text = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " ", text)
    text = re.sub(r"\{glue:[a-z]+\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"^:[a-z-]+:.*$", " ", text, flags=re.M)


def run_like_numbers(markdown: str) -> list[str]:
    text = prose(markdown)
    return [match for pattern in RUN_LIKE for match in re.findall(pattern, text, flags=re.I)]


def declared_constants(chapter: Path) -> set[str]:
    front = re.match(r"^---\n(.*?)\n---\n", chapter.read_text(), re.S)
    meta = yaml.safe_load(front.group(1)) if front else {}
    return {str(value) for value in (meta.get("vaegan") or {}).get("prose_constants", [])}


def test_the_rule_catches_a_planted_number_and_lets_a_glued_one_pass():
    assert run_like_numbers("The VAE's samples are digits 42.4% of the time.") == ["42.4%"]
    assert run_like_numbers("Training runs two epochs in batches of 512.") == ["two epochs", "batches of 512"]
    assert run_like_numbers("17 of 32 dimensions are active, 7/10 classes.") == ["17 of 32", "7/10"]
    assert run_like_numbers("The VAE's samples are digits {glue:text}`vae_share:.1%` of the time.") == []
    assert run_like_numbers("The loss is $\\beta = 0.1$ times `0.5` in [the paper](https://x/1.2).") == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_prose_states_no_run_number_by_hand(chapter):
    allowed = declared_constants(chapter)
    typed = []
    for cell in jupytext.read(chapter, fmt="md:myst").cells:
        if cell["cell_type"] == "markdown":
            typed += [token for token in run_like_numbers(cell["source"]) if token not in allowed]
    assert not typed, (
        f"{chapter.name}: these numbers are typed into the prose: {typed}. Glue a run's number into the sentence "
        f"({{glue:text}}`name:format` and glue(name, value) in a code cell), or, for a constant of the method, the "
        f"data or a paper, list it under `vaegan: prose_constants:` in the chapter's front matter."
    )


def test_declared_constants_are_all_used(tmp_path):
    for chapter in CHAPTERS:
        allowed = declared_constants(chapter)
        used = {token for cell in jupytext.read(chapter, fmt="md:myst").cells if cell["cell_type"] == "markdown"
                for token in run_like_numbers(cell["source"])}
        assert allowed <= used, f"{chapter.name}: prose_constants lists {sorted(allowed - used)}, which the prose no longer has"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_glued_name_is_given_by_a_code_cell_of_its_chapter(chapter):
    """A role whose name no cell glues would fail the strict build only at the end of a long run;
    this says which names at once."""
    cells = jupytext.read(chapter, fmt="md:myst").cells
    used = {name for cell in cells if cell["cell_type"] == "markdown"
            for name in re.findall(r"\{glue:[a-z]+\}`([A-Za-z_][A-Za-z0-9_]*)", cell["source"])}
    code = "\n".join(cell["source"] for cell in cells if cell["cell_type"] == "code")
    given = set(re.findall(r"\bglue\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", code))
    # glue(f"{name}_minutes", ...) in a loop gives a family of names: match them as patterns
    families = [re.compile("".join(r"\w+" if part.startswith("{") else re.escape(part)
                                   for part in re.split(r"(\{[^}]*\})", template)) + "$")
                for template in re.findall(r"\bglue\(\s*f[\"']([^\"']+)[\"']", code)]
    missing = sorted(name for name in used if name not in given and not any(family.match(name) for family in families))
    assert not missing, f"{chapter.name}: the prose uses glue names no code cell gives: {missing}"
