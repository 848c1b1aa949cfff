"""Self-check questions: validated when written, plain self-contained HTML when shown."""

import re
from html.parser import HTMLParser

import pytest

from vaegan.pages.selfcheck import choice, number, quiz


def sample():
    return quiz(
        choice("Which is right?", [("this", True, "Because."), ("that", False, "Because not.")]),
        number("How many pixels has a 28×28 digit?", answer=784, why="28 × 28.", unit="pixels"),
    )


def test_questions_are_checked_when_written():
    with pytest.raises(ValueError, match="exactly one choice must be correct"):
        choice("?", [("a", True, "x"), ("b", True, "y")])
    with pytest.raises(ValueError, match="at least two choices"):
        choice("?", [("a", True, "x")])
    with pytest.raises(ValueError, match="explanation"):
        choice("?", [("a", True, "x"), ("b", False, " ")])
    with pytest.raises(ValueError, match="explanation"):
        number("?", 1, why="")
    with pytest.raises(ValueError, match="same prompt"):
        quiz(number("?", 1, "a"), number("?", 2, "b"))
    with pytest.raises(TypeError, match="choice"):
        quiz("a question as a string")


def test_answers_are_marked_as_the_page_marks_them():
    which, how_many = sample().questions
    assert which.is_right(0) and not which.is_right(1)
    assert how_many.is_right(784) and not how_many.is_right(783)
    assert number("?", 0.5, "w", tolerance=0.01).is_right(0.505)


class Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.append(dict(attrs))


def test_the_html_is_accessible_self_contained_and_the_same_at_every_build():
    page = sample()._repr_html_()
    assert page == sample()._repr_html_()  # ids come from the text, not a counter or a random draw
    parsed = Structure()
    parsed.feed(page)
    assert parsed.tags.count("form") == 2 and parsed.tags.count("fieldset") == 2 and parsed.tags.count("legend") == 2
    assert parsed.tags.count("details") == 2  # the answer, readable where scripts do not run
    assert any(attrs.get("role") == "status" and attrs.get("aria-live") == "polite" for attrs in parsed.attributes)
    radios = [attrs for attrs in parsed.attributes if attrs.get("type") == "radio"]
    assert len(radios) == 2 and parsed.tags.count("label") == 3  # every input inside its label
    assert not re.search(r"(src|href)\s*=", page) and "http" not in page  # nothing loaded from anywhere
    assert page.count("<script>") == 1


def test_plain_text_form_lists_the_questions():
    text = repr(sample())
    assert "1. Which is right?" in text and "(a) this" in text and "2. How many pixels" in text
