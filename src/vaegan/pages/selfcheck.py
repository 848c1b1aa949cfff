"""Self-check questions: multiple choice or a number, answered on the page.

Each question is plain HTML (a form with a fieldset, radio buttons or a number box, and
a Check button) and a few lines of inline script that mark the answer and explain why it
is right or wrong. Nothing is loaded from anywhere, so the same output works on the
static website with no kernel, in Jupyter and in Colab. Where scripts do not run (an
untrusted notebook, a plain preview), the answer and its explanation are still there,
folded in a "Show the answer" box.

    quiz(
        choice("Why ...?", [
            ("because ...", True, "Right: ..."),
            ("because ...", False, "No: ..."),
        ]),
        number("How many ...?", answer=784, why="28 x 28 pixels."),
    )
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field

__all__ = ["Choice", "ChoiceQuestion", "NumberQuestion", "Quiz", "choice", "number", "quiz"]


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    why: str  # shown when this option is picked: why it is right, or why not


@dataclass(frozen=True)
class ChoiceQuestion:
    prompt: str
    choices: tuple[Choice, ...]

    def __post_init__(self) -> None:
        if len(self.choices) < 2:
            raise ValueError(f"a multiple-choice question needs at least two choices, got {len(self.choices)}: {self.prompt!r}")
        if sum(c.correct for c in self.choices) != 1:
            raise ValueError(f"exactly one choice must be correct, got {sum(c.correct for c in self.choices)}: {self.prompt!r}")
        if any(not c.why.strip() for c in self.choices):
            raise ValueError(f"every choice needs its explanation (why it is right or wrong): {self.prompt!r}")

    def is_right(self, picked: int) -> bool:
        return self.choices[picked].correct

    @property
    def answer_text(self) -> str:
        right = next(c for c in self.choices if c.correct)
        return f"{right.text}. {right.why}"


@dataclass(frozen=True)
class NumberQuestion:
    prompt: str
    answer: float
    why: str
    tolerance: float = 0.0  # accepted absolute difference
    unit: str = ""

    def __post_init__(self) -> None:
        if not self.why.strip():
            raise ValueError(f"a number question needs its explanation: {self.prompt!r}")
        if self.tolerance < 0:
            raise ValueError(f"tolerance must be >= 0, got {self.tolerance}")

    def is_right(self, value: float) -> bool:
        return abs(value - self.answer) <= self.tolerance + 1e-12 * max(1.0, abs(self.answer))

    @property
    def answer_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{_format_number(self.answer)}{unit}. {self.why}"


def choice(prompt: str, options: list[tuple[str, bool, str]]) -> ChoiceQuestion:
    """A multiple-choice question: ``options`` are ``(text, is_correct, why)``; exactly
    one is correct."""
    return ChoiceQuestion(prompt, tuple(Choice(*option) for option in options))


def number(prompt: str, answer: float, why: str, tolerance: float = 0.0, unit: str = "") -> NumberQuestion:
    """A question whose answer is a number, accepted within ``tolerance``."""
    return NumberQuestion(prompt, float(answer), why, float(tolerance), unit)


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# The script marks one form. It is repeated in every quiz's output (a few hundred bytes), so a
# quiz works alone in a notebook; on the website the guard runs it once per form.
_SCRIPT = """
(function () {
  document.querySelectorAll("form.vaegan-selfcheck:not([data-ready])").forEach(function (form) {
    form.setAttribute("data-ready", "");
    var data = JSON.parse(form.getAttribute("data-check"));
    var feedback = form.querySelector(".vaegan-selfcheck-feedback");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var right, why;
      if (data.kind === "choice") {
        var picked = form.querySelector("input[type=radio]:checked");
        if (!picked) { feedback.textContent = "Pick an answer first."; form.setAttribute("data-result", "none"); return; }
        var option = data.choices[Number(picked.value)];
        right = option.correct; why = option.why;
      } else {
        var text = form.querySelector("input[type=text]").value.trim().replace(",", ".");
        var value = Number(text);
        if (text === "" || !isFinite(value)) { feedback.textContent = "Type a number first."; form.setAttribute("data-result", "none"); return; }
        right = Math.abs(value - data.answer) <= data.tolerance + 1e-12 * Math.max(1, Math.abs(data.answer));
        why = right ? data.why : "Not quite. Try again, or open the answer below.";
      }
      feedback.textContent = (right ? "\\u2713 Right. " : "\\u2717 Not right. ") + why;
      form.setAttribute("data-result", right ? "right" : "wrong");
    });
  });
})();
"""

_STYLE = """
form.vaegan-selfcheck { border: 1px solid currentColor; border-radius: 6px; padding: 0.6em 1em; margin: 0.8em 0; }
form.vaegan-selfcheck fieldset { border: 0; margin: 0; padding: 0; }
form.vaegan-selfcheck legend { font-weight: 600; padding: 0; margin-bottom: 0.4em; }
form.vaegan-selfcheck label { display: block; margin: 0.2em 0; cursor: pointer; }
form.vaegan-selfcheck button { margin-top: 0.4em; padding: 0.2em 1em; font: inherit; cursor: pointer; }
form.vaegan-selfcheck input[type=text] { font: inherit; width: 10em; }
form.vaegan-selfcheck .vaegan-selfcheck-feedback { font-weight: 600; min-height: 1.2em; margin: 0.4em 0; }
form.vaegan-selfcheck details { margin-top: 0.3em; }
"""


@dataclass
class Quiz:
    """Questions shown together, with one heading. Displays as HTML."""

    questions: tuple
    title: str = "Check your understanding"
    identifiers: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.questions:
            raise ValueError("a quiz needs at least one question")
        for question in self.questions:
            if not isinstance(question, (ChoiceQuestion, NumberQuestion)):
                raise TypeError(f"quiz takes choice(...) and number(...) questions, got {type(question).__name__}")
        # ids from the text, so the page is the same at every build and two quizzes never clash
        self.identifiers = ["sc-" + hashlib.sha256(q.prompt.encode()).hexdigest()[:10] for q in self.questions]
        if len(set(self.identifiers)) != len(self.identifiers):
            raise ValueError("two questions in one quiz have the same prompt")

    def _question_html(self, question, identifier: str) -> str:
        escape = html.escape
        if isinstance(question, ChoiceQuestion):
            data = {"kind": "choice", "choices": [{"correct": c.correct, "why": c.why} for c in question.choices]}
            inputs = "".join(
                f'<label><input type="radio" name="{identifier}" value="{index}"> {escape(option.text)}</label>'
                for index, option in enumerate(question.choices)
            )
        else:
            data = {"kind": "number", "answer": question.answer, "tolerance": question.tolerance, "why": question.why}
            unit = f" {escape(question.unit)}" if question.unit else ""
            inputs = (
                f'<label>Your answer{unit}: <input type="text" inputmode="decimal" autocomplete="off" '
                f'name="{identifier}"></label>'
            )
        return (
            f'<form class="vaegan-selfcheck" id="{identifier}" data-check="{escape(json.dumps(data))}">'
            f"<fieldset><legend>{escape(question.prompt)}</legend>{inputs}</fieldset>"
            f'<button type="submit">Check</button>'
            f'<p class="vaegan-selfcheck-feedback" role="status" aria-live="polite"></p>'
            f"<details><summary>Show the answer</summary><p>{escape(question.answer_text)}</p></details>"
            f"</form>"
        )

    def _repr_html_(self) -> str:
        body = "".join(self._question_html(q, i) for q, i in zip(self.questions, self.identifiers))
        return (
            f'<div class="vaegan-quiz"><style>{_STYLE}</style>'
            f'<p class="vaegan-quiz-title"><strong>{html.escape(self.title)}</strong></p>{body}'
            f"<script>{_SCRIPT}</script></div>"
        )

    def __repr__(self) -> str:  # plain text, for a terminal
        lines = [self.title]
        for number_, question in enumerate(self.questions, 1):
            lines.append(f"{number_}. {question.prompt}")
            if isinstance(question, ChoiceQuestion):
                lines += [f"   ({chr(97 + i)}) {c.text}" for i, c in enumerate(question.choices)]
        return "\n".join(lines)


def quiz(*questions, title: str = "Check your understanding") -> Quiz:
    """Show ``questions`` (from :func:`choice` and :func:`number`) as one self-check
    block."""
    return Quiz(tuple(questions), title)
