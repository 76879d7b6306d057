"""What the RTRL panel shows (Qt-free): one weight entry's sensitivities dS/dθ growing step by step.

RTRL computes forward in time, so its numbers arrive with the values: in phase 1 the panel shows steps
1 … k (k steps done), from phase 2 on every step. The numbers are :func:`lstmviz.core.realtime.sensitivities`
of the document's forward pass under the exact recurrence (``full``) or Gers' truncation (``cec``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.keys import Key
from ...core.model import LSTMLayer, Model
from ...core.params import param_blocks
from ...core.phases import Phase
from ...core.realtime import SensitivityHistory, sensitivities
from ..numbers import fmt
from ..style import entry_name, where
from .phases import Playhead

MODES = (("full", "exact"), ("cec", "Gers (cec)"))
"""The panel's two recurrences: (gradient mode, its name on screen)."""


def layer_entries(model: Model) -> list[tuple[str, tuple[int, ...]]]:
    """Every entry RTRL carries sensitivities for (the layers' parameters; the head needs none)."""
    return [(b.key, tuple(int(i) for i in index)) for b in param_blocks(model, include_head=False)
            for index in np.ndindex(*b.shape)]


def default_entry(model: Model) -> tuple[str, tuple[int, ...]]:
    """The entry shown when no layer weight is selected: the bottom layer's recurrent weight U[0, 0] of an
    RNN (the calculator's u), the candidate's input weight W_c̃[0, 0] of an LSTM (the cell sums it up)."""
    key = "l0/W_g" if isinstance(model.layers[0], LSTMLayer) else "l0/U"
    return key, (0, 0)


def chosen_entry(model: Model, selected: tuple[str, tuple[int, ...]] | None) -> tuple[str, tuple[int, ...]]:
    """The selected weight entry if RTRL has sensitivities for it (one of :func:`layer_entries`, tested
    without listing them: three layers of H = 64 have 82,944), else :func:`default_entry`."""
    if selected is not None:
        key, index = selected[0], tuple(int(i) for i in selected[1])
        for b in param_blocks(model, include_head=False):
            if b.key == key and len(index) == len(b.shape) and all(
                    0 <= i < n for i, n in zip(index, b.shape, strict=True)):
                return key, index
    return default_entry(model)


def entry_title(key: str, index: tuple[int, ...]) -> str:
    """``W_c̃[0, 0] · layer 0``."""
    return f"{entry_name(key, index)} · {where(key)}"


def default_unit(key: str, index: tuple[int, ...]) -> tuple[int, int]:
    """(layer, unit) whose h and c the entry moves first: its own layer and row."""
    return Key.parse(key).layer, index[0]


def shown_steps(playhead: Playhead) -> int:
    """How many steps RTRL has computed at the playhead: the forward pass's k in phase 1, else all."""
    return playhead.k if playhead.phase == Phase.FORWARD else playhead.T


@dataclass
class SensitivityFrame:
    """The numbers at the playhead: step t (1-based; 0 before the first step) of one unit's history."""

    history: SensitivityHistory
    layer: int
    unit: int
    t: int

    @property
    def name(self) -> str:
        return entry_name(self.history.key, self.history.index)

    def step_term(self, t: int) -> float:
        """∂E[t]/∂θ = ∂E[t]/∂h_top[t]·S_h_top[t]: what step t adds to the running gradient."""
        G = self.history.G
        return float(G[t - 1] - (G[t - 2] if t >= 2 else 0.0))

    def rows(self) -> list[tuple[str, str]]:
        """(quantity, value) at step t, the numbers formatted as everywhere in the app; θ is the entry
        (the panel names it beside the table)."""
        t, n, j, h = self.t, self.layer, self.unit, self.history
        if t == 0:
            return [("t", "0: nothing computed yet"), ("S_h = ∂h[0]/∂θ", "0"), ("G[0]", "0")]
        rows = [("t", str(t)), (f"S_h = ∂h[{t}]/∂θ", fmt(float(h.S_h[n][t - 1, j])))]
        if h.S_c[n] is not None:
            rows.append((f"S_c = ∂c[{t}]/∂θ", fmt(float(h.S_c[n][t - 1, j]))))
        rows += [(f"∂E[{t}]/∂θ (step {t}'s term)", fmt(self.step_term(t))),
                 (f"G[{t}] = Σ_(s≤{t}) ∂E[s]/∂θ", fmt(float(h.G[t - 1])))]
        if t == len(h.G):
            rows.append((f"dE/dθ under {h.mode} (= G[T])", fmt(float(h.G[-1]))))
        return rows


class SensitivityCache:
    """The last history computed, reused while the trace, the entry and the mode stay the same (the
    playhead only moves along it)."""

    def __init__(self):
        self._key: tuple | None = None
        self.history: SensitivityHistory | None = None

    def get(self, trace, key: str, index: tuple[int, ...], mode: str) -> SensitivityHistory:
        """RTRLTooLarge for a model RTRL refuses."""
        wanted = (id(trace), key, tuple(index), mode)
        if wanted != self._key:
            self.history = sensitivities(trace.scenario.model, trace.forward, key, index, mode)
            self._key = wanted
        return self.history
