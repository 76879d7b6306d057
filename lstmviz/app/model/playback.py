"""Playback: where the playhead stands in the five phases, the epochs so far, and the breakpoints (Qt-free).

Stepping past phase 5 applies the update (an undoable command) and starts the next epoch. After a
step, the breakpoints are tested on what the new position computed; after every retrace the current
hit is tested again, so that an edit that removes its cause also clears it.

One step forward may be withheld: :attr:`Playback.before_step` (the quiz's "predict, then reveal")
is asked before :meth:`Playback.step_forward` (→, the transport button, playing) moves to the next
position. The jumps (Page Down, End, Home, the phase pills) never ask.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from psygnal import Signal

from ...core.phases import Phase
from ...core.train import first_nonfinite
from ...watch import WatchError
from ...watch.breakpoints import Breakpoint, Hit, first_hit
from .commands import Descend, Train
from .document import Document
from .phases import Playhead


class Playback:
    playhead_changed = Signal()
    epochs_changed = Signal()     # an epoch ended (or was undone), or a training run reported progress
    breakpoint_hit = Signal(str)  # playback stopped: what held, where (or why a breakpoint could not be tested)

    def __init__(self, document: Document):
        self.document = document
        self.breakpoints: list[Breakpoint] = []
        # asked with the position a step forward is about to reach (not for phase 5's update); False
        # withholds the step: nothing moves, and step_forward returns True (playing stops)
        self.before_step: Callable[[Playhead], bool] | None = None
        self.reset()
        document.trace_changed.connect(self._recheck_hit, priority=10)

    def reset(self) -> None:
        """A new document: everything computed, epoch 1, no hit. Emits nothing (see :meth:`announce`)."""
        self.playhead = Playhead.complete(self.document.trace.steps)
        self.epoch = 1
        self.epoch_losses: list[float] = [self.document.trace.loss]
        self.epoch_losses_live: list[float] | None = None
        self.hit: Hit | None = None

    def announce(self) -> None:
        self.playhead_changed.emit()
        self.epochs_changed.emit()

    @property
    def losses(self) -> list[float]:
        """The loss of every epoch, including a training run's progress while it is under way."""
        return self.epoch_losses_live or self.epoch_losses

    # -- moves -----------------------------------------------------------------------------------------
    def set_playhead(self, playhead: Playhead) -> None:
        if playhead != self.playhead:
            self.playhead = playhead
            self.playhead_changed.emit()

    def go_start(self) -> None:
        self.set_playhead(Playhead.start(self.document.trace.steps))

    def go_phase(self, phase: Phase) -> None:
        """The start of a phase (phase 5: the update about to be applied)."""
        self.set_playhead(Playhead.at(Phase(phase), 0, self.document.trace.steps))

    def go_end(self) -> None:
        self.set_playhead(Playhead.complete(self.document.trace.steps))

    def step_back(self) -> None:
        self.set_playhead(self.playhead.back())

    def prev_phase(self) -> None:
        self.set_playhead(self.playhead.prev_phase())

    def step_forward(self) -> bool:
        """One step; returns True when playing must stop there: a breakpoint holds at the new position, or
        :attr:`before_step` withheld the step (the playhead stays). Past phase 5: descend."""
        nxt = self.playhead.forward()
        if nxt is None:
            self.descend()
            return False
        if self.before_step is not None and not self.before_step(nxt):
            return True
        self.set_playhead(nxt)
        return self._check_breakpoints()

    def next_phase_stopping(self) -> None:
        """Page Down: to the start of the next phase, unless a breakpoint holds on the way. However long
        the way, the playhead moves once: the steps in between are only tested, never shown."""
        target = self.playhead.next_phase()
        position = self.playhead
        while position != target and position.phase < Phase.DESCENT:
            position = position.forward()
            if self.breakpoints and self._test(position) is not None:
                self.set_playhead(position)
                self._check_breakpoints()
                return
        self.set_playhead(position)

    def tick(self) -> bool:
        """One step of playing; False when playing stops (everything computed, a breakpoint holds, or the
        step was withheld: a quiz question is open)."""
        if self.playhead.at_end:
            return False
        return not self.step_forward()

    # -- phase 5 and training ------------------------------------------------------------------------------
    def descend(self) -> None:
        """Phase 5: move the weights against the gradient (one undo entry), then start the next epoch."""
        self.document.push(Descend(self.document, self, self.document.descent_update()), edits_numbers=False)

    def apply_training(self, values: dict[str, np.ndarray], losses: list[float]) -> None:
        """The result of a training run, as one undo entry; ValueError for weights that are not finite."""
        bad = first_nonfinite(values)
        if bad is not None:
            raise ValueError(f"training result: {bad} is not finite; the weights stay as they were")
        self.document.push(Train(self.document, self, values, losses))

    def show_training_losses(self, losses: list[float]) -> None:
        """While a run is under way: the loss curve grows (the weights move when it ends); [] ends it."""
        self.epoch_losses_live = self.epoch_losses[:-1] + list(losses) if losses else None
        self.epochs_changed.emit()

    def start_epoch(self, epoch: int, losses: list[float], at_descent: bool = False) -> None:
        """Commands call this: the epoch and its losses, the playhead at its start (or back at phase 5)."""
        self.epoch, self.epoch_losses, self.epoch_losses_live = epoch, losses, None
        T = self.document.trace.steps
        self.playhead = Playhead(Phase.DESCENT, 0, T) if at_descent else Playhead.start(T)
        self.epochs_changed.emit()
        self.playhead_changed.emit()

    # -- breakpoints ---------------------------------------------------------------------------------------
    def set_breakpoints(self, breakpoints: list[Breakpoint]) -> None:
        self.breakpoints = list(breakpoints)

    def _test(self, position: Playhead | None = None) -> Hit | None:
        """The first breakpoint that holds for what ``position`` (the playhead's by default) computed."""
        position = position or self.playhead
        t = position.current_t
        if t is None or not self.breakpoints:
            return None
        try:
            return first_hit(self.breakpoints, self.document.trace, position.phase, t)
        except WatchError as e:
            self.breakpoint_hit.emit(f"breakpoint expression refused: {e}")
            return None

    def _check_breakpoints(self) -> bool:
        """After a step: a hit is kept and announced (the view selects its node); True if one holds."""
        self.hit = self._test()
        if self.hit is None:
            return False
        self.breakpoint_hit.emit(f"breakpoint: {self.hit.text} — F8 continues")
        return True

    def _recheck_hit(self) -> None:
        if self.hit is not None:
            self.hit = self._test()
