"""The playhead: where in the five phases of an epoch the user stands, and what is computed there.

A position is (phase, k): k steps of the phase are done (0 ≤ k ≤ T; phase 5 has only k = 0). Values
appear in phase 1 for t = 1…T, ε in phase 2 for t = 1…T, δ in phase 3 for t = T…1, and the weight
gradients accumulate over t = 1…T in phase 4 (see :class:`lstmviz.core.phases.Phase`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...core.phases import Phase
from ...watch.needs import Needs
from ..style import PHASE_NAMES


@dataclass(frozen=True)
class Playhead:
    phase: Phase
    k: int
    T: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "phase", Phase(self.phase))  # 1…5 read as phases too

    @classmethod
    def start(cls, T: int) -> Playhead:
        return cls(Phase.FORWARD, 0, T)

    @classmethod
    def complete(cls, T: int) -> Playhead:
        """Everything computed, the update not yet applied: the end of phase 4."""
        return cls(Phase.GRAD, T, T)

    @classmethod
    def at(cls, phase: Phase, k: int | None, T: int) -> Playhead:
        """Phase ``phase`` with k steps done (all by default); ValueError if k is outside 0…T."""
        if phase == Phase.DESCENT:
            return cls(phase, 0, T)
        k = T if k is None else k
        if not 0 <= k <= T:
            raise ValueError(f"the step must be 0 to {T}, got {k}")
        return cls(phase, k, T)

    @property
    def name(self) -> str:
        return PHASE_NAMES[self.phase]

    @property
    def at_end(self) -> bool:
        """Everything is computed: playing stops here, before the weights would move."""
        return self.phase == Phase.DESCENT or (self.phase == Phase.GRAD and self.k >= self.T)

    def value_visible(self, t: int) -> bool:
        return self.phase > Phase.FORWARD or t <= self.k

    def eps_visible(self, t: int) -> bool:
        return self.phase > Phase.SYNC or (self.phase == Phase.SYNC and t <= self.k)

    def delta_visible(self, t: int) -> bool:
        return self.phase > Phase.BPTT or (self.phase == Phase.BPTT and t > self.T - self.k)

    def reached(self, phase: Phase, t: int | None = None) -> bool:
        """Whether ``phase`` has computed step t — or, with t None, every step (weight gradients are
        sums over the steps, so they count only when complete)."""
        if t is None or phase >= Phase.GRAD:
            return self.phase > phase or (self.phase == phase and self.k >= self.T)
        return {Phase.FORWARD: self.value_visible, Phase.SYNC: self.eps_visible,
                Phase.BPTT: self.delta_visible}[phase](t)

    def has(self, needs: Needs, t: int) -> bool:
        """Whether the inputs of a watch at step t are computed."""
        return self.reached(needs.phase, None if needs.whole else t)

    @property
    def grad_steps(self) -> int:
        """How many steps' contributions the weight gradients hold so far."""
        return self.T if self.phase > Phase.GRAD else (self.k if self.phase == Phase.GRAD else 0)

    @property
    def current_t(self) -> int | None:
        """The step computed last (highlighted), or None."""
        if self.phase == Phase.DESCENT or self.k == 0:
            return None
        return self.T - self.k + 1 if self.phase == Phase.BPTT else self.k

    def describe(self) -> str:
        if self.phase == Phase.DESCENT:
            return f"Phase {self.phase}/{len(Phase)} · {self.name}"
        t = self.current_t
        where = f"t = {t}" if t is not None else "not started"
        return f"Phase {self.phase}/{len(Phase)} · {self.name} · {where} ({self.k}/{self.T})"

    # -- moves; None from ``forward`` at phase 5 means "apply the update, start a new epoch" ----------
    def forward(self) -> Playhead | None:
        if self.phase == Phase.DESCENT:
            return None
        if self.k < self.T:
            return Playhead(self.phase, self.k + 1, self.T)
        return Playhead(Phase(self.phase + 1), 0, self.T)

    def back(self) -> Playhead:
        if self.phase == Phase.DESCENT:
            return Playhead(Phase.GRAD, self.T, self.T)
        if self.k > 0:
            return Playhead(self.phase, self.k - 1, self.T)
        if self.phase == Phase.FORWARD:
            return self
        return Playhead(Phase(self.phase - 1), self.T, self.T)

    def next_phase(self) -> Playhead:
        return Playhead(Phase(min(Phase.DESCENT, self.phase + 1)), 0, self.T)

    def prev_phase(self) -> Playhead:
        if self.k > 0:
            return Playhead(self.phase, 0, self.T)
        return Playhead(Phase(max(Phase.FORWARD, self.phase - 1)), 0, self.T)


def each_step(rule: Callable[[np.ndarray], bool | np.ndarray], t: np.ndarray) -> np.ndarray:
    """A playhead's rule for one step (:meth:`Playhead.value_visible`, ``lambda t: playhead.has(needs, t)``
    and the like) for all the steps t at once, as (T,) bools: the rules compare t with the playhead, so they
    take the array t too (or give one bool when the phase decides for every step)."""
    return np.array(np.broadcast_to(rule(t), t.shape), bool)
