"""Predict, then reveal: the quiz's question, the guess, the reveal with the equation and its numbers,
and the score (see :mod:`lstmviz.app.model.quiz`).

Enter in the guess box reveals an open question (scoring what is typed, or nothing when the box is
empty: the class called it out) and, with no question open, steps forward to the next one — so a
student can work through an epoch without leaving the box.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from .. import style
from ..model.equations.brief import Brief
from ..model.quantities import NodeRef
from ..model.quiz import Question, Quiz, Result
from ..numbers import fmt
from ..qt.binding import observe, signals_blocked

OFF_HINT = ("Switch the quiz on and step forward (→): before each value, ε or δ of the quiz lane is computed, "
            "the step waits for your prediction.")


def _math(text: str) -> str:
    return f"<span style=\"font-family: '{style.MATH_FAMILY}'\">{html.escape(text)}</span>"


def _where(quiz: Quiz, node: NodeRef) -> str:
    """"layer 0, unit 3": what NodeRef.describe adds to the name (no unit in a one-unit layer)."""
    return node.describe(quiz.document.trace).partition(", ")[2]


def question_html(quiz: Quiz, q: Question) -> str:
    where = _where(quiz, q.node)
    head = f"<b>Predict {_math(q.brief.name)}</b>" + (f" ({html.escape(where)})" if where else "")
    return f"{head} — {html.escape(q.brief.when)}<br>{_math(q.brief.equation)}"


def result_html(quiz: Quiz, r: Result) -> str:
    """"c[5] = 4.00 — your guess 3.50 was off by 0.500 (12.5 %)", then the equation with its numbers."""
    where = _where(quiz, r.node)
    line = f"<b>{_math(r.brief.name)} = {html.escape(fmt(r.truth))}</b>" + (f" ({html.escape(where)})" if where else "")
    if not r.counted:
        line += " — skipped (not counted)"
    elif r.guess is None:
        line += " — revealed without a typed guess"
    else:
        line += f" — your guess {html.escape(fmt(r.guess))} was off by {html.escape(fmt(r.error))}"
        if r.relative is not None:
            line += f" ({html.escape(fmt(100 * r.relative))} %)"
        line += f" · <span style='color: {style.GRADIENT}'>close ✓</span>" if r.close else ""
    return f"{line}<br>{_equation(r.brief)}"


def _equation(brief: Brief) -> str:
    return _math(brief.equation) + (f"<br>{_math(brief.numbers)}" if brief.numbers else "")


def score_text(quiz: Quiz) -> str:
    """"7 asked · 5 answered · 4 close · mean error 0.120"."""
    s = quiz.score
    text = f"{s.asked} asked · {s.answered} answered · {s.close} close"
    return text + (f" · mean error {fmt(s.mean_error)}" if s.mean_error is not None else "")


def _wrapping(rich: bool = True) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class QuizPanel(QWidget):
    def __init__(self, quiz: Quiz, parent=None):
        super().__init__(parent)
        self.quiz = quiz
        self._asked: Question | None = None  # the question the guess box belongs to
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.toggle = QCheckBox("Quiz: predict before each step")
        self.toggle.setToolTip("While on, a step forward that would compute the next number of the quiz lane "
                               "waits: predict it, then reveal")
        self.toggle.toggled.connect(quiz.set_on)
        layout.addWidget(self.toggle)
        self.lane_label = _wrapping(rich=False)
        self.lane_label.setStyleSheet(f"color: {style.TEXT_DIM};")
        layout.addWidget(self.lane_label)
        self.question_label = _wrapping()
        layout.addWidget(self.question_label)
        self.guess_box = QLineEdit()
        self.guess_box.setPlaceholderText("your guess, e.g. −0.25 (Enter reveals)")
        self.guess_box.returnPressed.connect(self.enter)
        layout.addWidget(self.guess_box)
        layout.addLayout(self._buttons())
        self.message = _wrapping(rich=False)
        self.message.setStyleSheet(f"color: {style.KINK};")
        layout.addWidget(self.message)
        self.feedback = _wrapping()
        layout.addWidget(self.feedback)
        score_row = QHBoxLayout()
        self.score_label = _wrapping(rich=False)
        score_row.addWidget(self.score_label, 1)
        reset = QPushButton("Reset score")
        reset.clicked.connect(quiz.reset_score)
        score_row.addWidget(reset)
        layout.addLayout(score_row)
        layout.addStretch(1)
        observe(self, (quiz.changed, self.refresh), (quiz.view.selection_changed, self._show_lane),
                (quiz.view.view_changed, self._show_lane))
        self.refresh()

    def set_compact(self, on: bool) -> None:
        """Beside the lecture hall's equation band, which already shows the question and the answer: only
        the guess box, the buttons and the score."""
        for part in (self.toggle, self.lane_label, self.question_label, self.feedback):
            part.setVisible(not on)

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.reveal_button = QPushButton("Reveal (R / Enter)")
        self.reveal_button.setToolTip("Show the number, score the guess and take the step")
        self.reveal_button.clicked.connect(self.reveal)
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Show the number and take the step without counting it")
        self.skip_button.clicked.connect(self.skip)
        row.addWidget(self.reveal_button)
        row.addWidget(self.skip_button)
        return row

    # -- actions -----------------------------------------------------------------------------------------
    def enter(self) -> None:
        """Enter in the guess box: reveal the open question, else step on to the next one."""
        if self.quiz.question is not None:
            self.reveal()
        elif self.quiz.on:
            self.quiz.advance()

    def reveal(self) -> bool:
        """Score what the box holds (nothing when empty) and reveal; False when the guess is refused."""
        text = self.guess_box.text()
        if self.quiz.question is None:
            return False
        if text.strip():
            try:
                self.quiz.guess(text)
            except ValueError as e:
                self.message.setText(str(e))
                return False
        self.message.clear()
        self.quiz.reveal()
        return True

    def skip(self) -> None:
        self.message.clear()
        self.quiz.skip()

    # -- showing the model ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        quiz, q = self.quiz, self.quiz.question
        with signals_blocked(self.toggle):
            self.toggle.setChecked(quiz.on)
        if q != self._asked:  # another question (or none): a fresh box
            self._asked = q
            self.guess_box.clear()
            self.message.clear()
        self.question_label.setText(question_html(quiz, q) if q is not None else
                                    ("Step forward (→ or Enter here) to the next question." if quiz.on else OFF_HINT))
        self.guess_box.setEnabled(quiz.on)
        self.reveal_button.setEnabled(q is not None)
        self.skip_button.setEnabled(q is not None)
        self.feedback.setText(result_html(quiz, quiz.last) if quiz.last is not None else "")
        self.score_label.setText(score_text(quiz))
        self._show_lane()

    def _show_lane(self) -> None:
        layer, var, unit = self.quiz.lane
        where = _where(self.quiz, NodeRef(layer, var, 1, unit))
        self.lane_label.setText(f"Quiz lane: {style.label(var)}" + (f" ({where})" if where else "")
                                + " — select a node of a layer to quiz its lane.")
