"""The application model: one document, its playback, what is viewed, and the pinned snapshots (Qt-free).

Widgets observe the parts' events (psygnal signals) and call their methods; nothing here imports Qt.
The parts keep each other consistent through the events: playback re-tests a breakpoint hit after a
retrace, the view drops a selection whose node is gone, and the comparison pins "before my edit" on
the first edit of the numbers. Their own handlers are connected first (with a higher priority), so
that the model is consistent before any widget hears of a change.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...core import Scenario, Trace
from ...io.opening import open_checked
from .comparison import Comparison
from .document import Document
from .graph_model import window_bytes
from .history import History
from .phase_view import PhaseFollower
from .playback import Playback
from .quantities import NodeRef, layer_vars
from .quiz import Quiz
from .view_state import ViewState
from .yours import YoursCheck


class Session:
    def __init__(self, scenario: Scenario, path: Path | None = None, history: History | None = None,
                 call_soon: Callable[[Callable[[], None]], None] | None = None, trace: Trace | None = None):
        self.document = Document(scenario, path, history, call_soon, trace)
        self.playback = Playback(self.document)
        self.view = ViewState(self.document)
        self.comparison = Comparison(self.document)
        self.follower = PhaseFollower(self.playback, self.view)
        self.quiz = Quiz(self.playback, self.view, self.document)
        self.yours = YoursCheck(self.document)  # their arrays (File ▸ Check my arrays…)
        self.playback.breakpoint_hit.connect(self._select_hit, priority=10)

    @property
    def history(self) -> History:
        return self.document.history

    def open(self, spec: str | Path, budget: int | None = None) -> None:
        """A file or preset in place of the current document — a transaction: the new one is read, fitted
        into the memory budget (with the window's graph), computed and its watches evaluated first; on any
        refusal (ScenarioError) the current document, its history and everything shown stay as they were."""
        opened = open_checked(spec, budget=budget, window_bytes=window_bytes)
        self.replace(opened.scenario, Path(spec) if Path(spec).is_file() else None, opened.trace)
        self.announce()

    def replace(self, scenario: Scenario, path: Path | None, trace: Trace | None = None) -> None:
        """Another document, every part reset — silently: call :meth:`announce` when the model is consistent."""
        self.document.replace(scenario, path, trace)
        self.playback.reset()
        self.view.reset()
        self.comparison.reset()
        self.yours.reset()

    def announce(self) -> None:
        """Tell every observer that everything changed, part by part."""
        for part in (self.document, self.playback, self.view, self.comparison, self.yours):
            part.announce()

    def _select_hit(self, _text: str) -> None:
        """A breakpoint stopped playback: select the node where it held."""
        hit = self.playback.hit
        layers = self.document.scenario.model.layers
        if hit is not None and (hit.layer is None or hit.var in layer_vars(layers[hit.layer])):
            self.view.select(NodeRef(hit.layer, hit.var, hit.t, hit.unit))
