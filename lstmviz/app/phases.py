"""The five phases of an epoch and what is already computed at each position (Qt-free).

1 forward propagation   values appear for t = 1, 2, …, T
2 synchronous backprop  ε appears for t = 1, 2, …, T
3 BPTT                  δ appears for t = T, T−1, …, 1
4 weight gradient       dE/dw accumulates over t = 1, 2, …, T
5 gradient descent      the weights move; stepping on starts the next epoch

A position is (phase, k): k steps of the phase are done (0 ≤ k ≤ T; phase 5 has only k = 0).
"""
from __future__ import annotations

from dataclasses import dataclass

from .style import PHASE_NAMES

PHASE_KEYS = ("forward", "sync", "bptt", "grad", "descent")


@dataclass(frozen=True)
class Playhead:
    phase: int
    k: int
    T: int

    @classmethod
    def start(cls, T: int) -> "Playhead":
        return cls(1, 0, T)

    @classmethod
    def complete(cls, T: int) -> "Playhead":
        """Everything computed, the update not yet applied: the end of phase 4."""
        return cls(4, T, T)

    @property
    def name(self) -> str:
        return PHASE_NAMES[self.phase - 1]

    def value_visible(self, t: int) -> bool:
        return self.phase > 1 or t <= self.k

    def eps_visible(self, t: int) -> bool:
        return self.phase > 2 or (self.phase == 2 and t <= self.k)

    def delta_visible(self, t: int) -> bool:
        return self.phase > 3 or (self.phase == 3 and t > self.T - self.k)

    @property
    def grad_steps(self) -> int:
        """How many steps' contributions the weight gradients hold so far."""
        return self.T if self.phase > 4 else (self.k if self.phase == 4 else 0)

    @property
    def current_t(self) -> int | None:
        """The step computed last (highlighted), or None."""
        if self.phase == 5 or self.k == 0:
            return None
        return self.T - self.k + 1 if self.phase == 3 else self.k

    def describe(self) -> str:
        if self.phase == 5:
            return f"Phase 5/5 · {self.name}"
        t = self.current_t
        where = f"t = {t}" if t is not None else "not started"
        return f"Phase {self.phase}/5 · {self.name} · {where} ({self.k}/{self.T})"

    # -- moves; None from ``forward`` at phase 5 means "apply the update, start a new epoch" ----------
    def forward(self) -> "Playhead | None":
        if self.phase == 5:
            return None
        if self.k < self.T:
            return Playhead(self.phase, self.k + 1, self.T)
        return Playhead(self.phase + 1, 0, self.T)

    def back(self) -> "Playhead":
        if self.phase == 5:
            return Playhead(4, self.T, self.T)
        if self.k > 0:
            return Playhead(self.phase, self.k - 1, self.T)
        if self.phase == 1:
            return self
        return Playhead(self.phase - 1, self.T, self.T)

    def next_phase(self) -> "Playhead":
        return Playhead(min(5, self.phase + 1), 0, self.T)

    def prev_phase(self) -> "Playhead":
        if self.k > 0:
            return Playhead(self.phase, 0, self.T)
        return Playhead(max(1, self.phase - 1), 0, self.T)


def parse_phase(text: str) -> int:
    """``2``, ``sync``, ``bptt``… → phase number."""
    s = text.strip().lower()
    if s.isdigit() and 1 <= int(s) <= 5:
        return int(s)
    if s in PHASE_KEYS:
        return PHASE_KEYS.index(s) + 1
    raise ValueError(f"unknown phase {text!r} (expected 1-5 or one of {', '.join(PHASE_KEYS)})")
