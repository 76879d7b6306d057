"""Predict, then reveal: the quiz stops before each number of one lane is computed (Qt-free).

While the quiz is on, a step forward that would compute a node of the quiz lane is withheld (through
:attr:`Playback.before_step`) and a :class:`Question` opens instead: the node at the step about to be
computed, what its phase computes (value in phase 1, ε of an h node in phase 2, δ in phase 3) and its
equation without the numbers. Nothing on screen shows the answer yet, since the step has not been
taken. A guess may be typed (or the class calls one out); :meth:`Quiz.reveal` takes the step and
records a :class:`Result` with the number, the error of the guess and the equation with its numbers.

* The lane: that of the selected node when it is a node of a layer (any variable, the drawn unit),
  else h of the top layer at the drawn unit. Head, input, target, E and watch lanes are not asked.
* Phase 2 computes ε only for h: other lanes step on; phases 4 and 5 ask nothing.
* Only a step forward asks; the jumps (Page Down, End, Home, the phase pills) skip the questions on
  their way. Any move of the playhead, a change of the structure or a new document drops an open
  question (it is not counted); choosing another lane or unit asks that lane's node instead.
* A guess is close when |guess − truth| ≤ max(5 % of |truth|, 0.01): 5 % is a good guess for
  anything but a number near 0, where an absolute 0.01 is.
* The score counts the revealed questions (asked), those with a guess (answered) and the close ones,
  and averages the error of the answered ones; :meth:`Quiz.skip` reveals without counting.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from psygnal import Signal

from ...core.phases import Phase
from .document import Document
from .equations.brief import Brief, kind_at, node_brief
from .phases import Playhead
from .playback import Playback
from .quantities import NodeRef, layer_vars
from .view_state import ViewState

CLOSE_RELATIVE = 0.05  # a guess within 5 % of the truth is close …
CLOSE_ABSOLUTE = 0.01  # … or within 0.01 of it (for numbers near 0)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SHOWN = 40  # characters of a refused guess repeated in the message


@dataclass(frozen=True)
class Question:
    node: NodeRef       # the node at the step about to be computed
    kind: str           # "value", "eps" or "delta"
    brief: Brief        # name, equation and when; value None and numbers "" (nothing to give away)
    origin: Playhead    # where the playhead waits
    target: Playhead    # the position the withheld step goes to


@dataclass(frozen=True)
class Result:
    node: NodeRef
    kind: str
    truth: float
    guess: float | None    # None: revealed without a typed guess (the class called one out)
    error: float | None    # |guess − truth|, None without a guess
    close: bool
    brief: Brief           # the reveal: value, equation and the equation with its numbers
    counted: bool = True   # False: skipped

    @property
    def relative(self) -> float | None:
        """The error as a fraction of |truth| (None without a guess or when the truth is 0)."""
        if self.error is None or self.truth == 0 or not math.isfinite(self.truth):
            return None
        return self.error / abs(self.truth)


@dataclass(frozen=True)
class Score:
    asked: int = 0
    answered: int = 0
    close: int = 0
    error_sum: float = 0.0
    measured: int = 0  # answered with a finite error (the mean's count)

    @property
    def mean_error(self) -> float | None:
        return self.error_sum / self.measured if self.measured else None

    def add(self, result: Result) -> Score:
        finite = result.error is not None and math.isfinite(result.error)
        return Score(self.asked + 1, self.answered + (result.guess is not None), self.close + result.close,
                     self.error_sum + (result.error if finite else 0.0), self.measured + finite)


def parse_guess(text: str) -> float:
    """A typed number ("1.5", "-0.2", "−0.2", "1e-3"); ValueError (one line) for anything else, NaN and ±inf."""
    plain = text.strip().replace("−", "-")
    shown = repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")
    if not _NUMBER.fullmatch(plain):
        raise ValueError(f"Guess: {shown} is not a number")
    value = float(plain)
    if not math.isfinite(value):
        raise ValueError(f"Guess: {shown} is too large to be a finite number")
    return value


def is_close(guess: float, truth: float) -> bool:
    return abs(guess - truth) <= max(CLOSE_RELATIVE * abs(truth), CLOSE_ABSOLUTE)


class Quiz:
    """Predict-then-reveal over one playback. It owns ``playback.before_step``."""

    changed = Signal()  # switched on or off, a question opened or closed, a guess, a result, the score

    def __init__(self, playback: Playback, view: ViewState, document: Document | None = None):
        self.playback, self.view = playback, view
        self.document = document or playback.document
        self.on = False
        self.question: Question | None = None
        self.guessed: float | None = None  # the guess for the open question
        self.last: Result | None = None
        self.score = Score()
        self._passing = False
        playback.before_step = self._before_step
        playback.playhead_changed.connect(self._on_playhead, priority=10)
        self.document.structure_changed.connect(self._drop, priority=20)  # before the view re-selects
        view.selection_changed.connect(self._reask, priority=10)
        view.view_changed.connect(self._reask, priority=10)

    # -- the lane --------------------------------------------------------------------------------------
    @property
    def lane(self) -> tuple[int, str, int]:
        """(layer, var, unit) of the lane asked: the selected node's if it is a layer's, else the top h."""
        layers = self.document.scenario.model.layers
        sel = self.view.selection
        if sel is not None and sel.layer is not None and sel.layer < len(layers) \
                and sel.var in layer_vars(layers[sel.layer]):
            return sel.layer, sel.var, self.view.drawn_unit(sel.layer)
        top = len(layers) - 1
        return top, "h", self.view.drawn_unit(top)

    def question_at(self, target: Playhead) -> Question | None:
        """What the quiz asks before the playhead moves to ``target`` (None: nothing, the step proceeds)."""
        t = target.current_t
        if t is None or target.phase >= Phase.GRAD:
            return None
        layer, var, unit = self.lane
        if target.phase == Phase.SYNC and var != "h":
            return None
        node = NodeRef(layer, var, t, unit)
        kind = kind_at(target.phase, node)
        brief = node_brief(self.document.trace, target, node, kind)
        return Question(node, kind, replace(brief, value=None, numbers=""), self.playback.playhead, target)

    # -- the student ---------------------------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        """Switch the quiz on or off (off drops an open question; the playhead stays)."""
        on = bool(on)
        if on == self.on:
            return
        self.on = on
        self.question, self.guessed = None, None
        self.changed.emit()

    def guess(self, text: str) -> float:
        """The guess for the open question; ValueError if it is not a finite number or nothing is asked."""
        value = parse_guess(text)
        if self.question is None:
            raise ValueError("Guess: no question is open (step forward with the quiz on)")
        self.guessed = value
        self.changed.emit()
        return value

    def reveal(self) -> Result | None:
        """Take the withheld step and score the guess (if any); None when no question is open."""
        return self._close(counted=True)

    def skip(self) -> Result | None:
        """Take the withheld step and show the number, without counting the question."""
        return self._close(counted=False)

    def advance(self) -> None:
        """One key for a clicker: reveal the open question, else step forward (which may ask the next)."""
        if self.question is not None:
            self.reveal()
        else:
            self.playback.step_forward()

    def reset_score(self) -> None:
        self.score, self.last = Score(), None
        self.changed.emit()

    # -- inside ---------------------------------------------------------------------------------------------
    def _before_step(self, target: Playhead) -> bool:
        if not self.on or self._passing:
            return True
        if self.question is not None:  # still waiting for its answer
            return False
        question = self.question_at(target)
        if question is None:
            return True
        self.question, self.guessed = question, None
        self.changed.emit()
        return False

    def _close(self, counted: bool) -> Result | None:
        q = self.question
        if q is None:
            return None
        brief = node_brief(self.document.trace, q.target, q.node, q.kind)
        truth = float(brief.value)
        guess = self.guessed if counted else None
        error = None if guess is None else abs(guess - truth)
        result = Result(q.node, q.kind, truth, guess, error, guess is not None and is_close(guess, truth), brief,
                        counted)
        self.question, self.guessed, self.last = None, None, result
        if counted:
            self.score = self.score.add(result)
        self._passing = True
        try:
            self.playback.step_forward()
        finally:
            self._passing = False
        self.changed.emit()
        return result

    def _on_playhead(self) -> None:
        if self.question is not None and self.playback.playhead != self.question.origin:
            self._drop()

    def _drop(self) -> None:
        if self.question is not None:
            self.question, self.guessed = None, None
            self.changed.emit()

    def _reask(self) -> None:
        """Another lane or unit chosen while a question is open: ask that lane's node instead."""
        q = self.question
        if q is None:
            return
        new = self.question_at(q.target)
        if new != q:
            self.question, self.guessed = new, None
            self.changed.emit()
