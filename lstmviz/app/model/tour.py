"""The guided tour of the first start (Qt-free): six short steps through the pocket calculator that end
with the student breaking one weight and watching the error and the δ's appear.

Each step says what to do; it is done when the session reaches the state it asks for (the playhead
moved, a node selected, b_i changed, the backward view…) or when the student clicks Next. A step may
offer to do its action ("Do it for me"), through the same undoable commands as the panels.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psygnal import Signal

from ...core.phases import Phase
from .phases import Playhead
from .quantities import NodeRef
from .session import Session

BROKEN_B_I = 0.9  # the calculator's b_i = 1 opens the input gate fully; 0.9 lets only 90 % in: E = 0.125


@dataclass(frozen=True)
class TourStep:
    title: str
    text: str
    done: Callable[[Session], bool] | None = None  # None: the student clicks Next
    action: Callable[[Session], None] | None = None  # "Do it for me"
    action_text: str = ""
    points_at: str = ""                           # the part of the window it is about: graph, transport, weights


def _step_forward(s: Session) -> None:
    s.playback.step_forward()


def _select_c1(s: Session) -> None:
    s.view.select(NodeRef(0, "c", 1, 0))


def _break_b_i(s: Session) -> None:
    s.view.select_weight("l0/b_i", (0,))
    s.document.set_entry("l0/b_i", (0,), BROKEN_B_I)


def _backward(s: Session) -> None:
    """δ everywhere: the backward view at the end of phase 3."""
    s.view.set_view("backward")
    s.playback.set_playhead(Playhead.at(Phase.BPTT, None, s.document.trace.steps))


STEPS = (
    TourStep("The pocket calculator",
             "This LSTM has one unit, and its gates were designed by hand: it adds up the inputs x[t] and prints "
             "the tally when x[t] = 0. Columns are the time steps t = 1…8, rows the variables. We stand at the "
             "start of phase 1: nothing is computed yet (the grey nodes).", points_at="graph"),
    TourStep("Step through time",
             "Press → (or the ▶| button) to compute t = 1 of the forward pass: x[1] enters the cell.",
             done=lambda s: s.playback.playhead.phase > Phase.FORWARD or s.playback.playhead.k >= 1,
             action=_step_forward, action_text="Step", points_at="transport"),
    TourStep("Why is this number what it is?",
             "Click c[1], the cell state at t = 1: the Inspector shows its equation with the numbers put in.",
             done=lambda s: s.view.selection is not None, action=_select_c1, action_text="Select c[1]",
             points_at="graph"),
    TourStep("A perfect calculator learns nothing",
             "Press End to compute the whole epoch. E = 0: every printout is right, so every δ is 0 and the "
             "weights would not move. Let us break it.",
             done=lambda s: s.playback.playhead.at_end, action=lambda s: s.playback.go_end(),
             action_text="End", points_at="transport"),
    TourStep("Break one weight",
             "In the Weights tab choose b_i (the input gate's bias) and press ↓ once: b_i = 0.9 lets only "
             "90 % of each input into the cell. Watch E.",
             done=lambda s: s.document.trace.loss > 0, action=_break_b_i, action_text="Set b_i = 0.9",
             points_at="weights"),
    TourStep("The error flows back",
             "E is no longer 0. Switch to the Backward view (F3) and click the phase pills 2 and 3: ε appears "
             "where the printouts are wrong, then δ flows back through the cell to earlier steps. Page Down "
             "walks through the phases; F5 presents.",
             done=lambda s: s.view.view == "backward", action=_backward, action_text="Show δ",
             points_at="graph"),
)


class Tour:
    """Where the student is in the tour; ``changed`` on every move (and at the end, with ``step`` None)."""

    changed = Signal()

    def __init__(self, session: Session, steps: tuple[TourStep, ...] = STEPS):
        self.session, self.steps = session, steps
        self.index: int | None = None
        for signal in (session.playback.playhead_changed, session.view.selection_changed,
                       session.view.view_changed, session.document.trace_changed):
            signal.connect(self._check)

    @property
    def step(self) -> TourStep | None:
        return None if self.index is None else self.steps[self.index]

    @property
    def running(self) -> bool:
        return self.index is not None

    def start(self) -> None:
        self.index = 0
        self.changed.emit()

    def stop(self) -> None:
        self.index = None
        self.changed.emit()

    def next(self) -> None:
        """On to the next step (the end after the last)."""
        if self.index is None:
            return
        self.index = self.index + 1 if self.index + 1 < len(self.steps) else None
        self.changed.emit()

    def do_it(self) -> None:
        """Perform the step's action for the student; the step is then done."""
        step = self.step
        if step is not None and step.action is not None:
            step.action(self.session)
            self._check()

    def _check(self) -> None:
        step = self.step
        if step is not None and step.done is not None and step.done(self.session):
            self.next()
