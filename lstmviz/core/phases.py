"""The five phases of an epoch, as the course teaches them (defined once, used everywhere).

1 forward propagation   values for t = 1, 2, …, T
2 synchronous backprop  ε for t = 1, 2, …, T (time-synchronous partials)
3 BPTT                  δ for t = T, T−1, …, 1 (total derivatives)
4 weight gradient       dE/dw accumulates over t = 1, 2, …, T
5 gradient descent      the weights move; the next epoch starts
"""
from __future__ import annotations

from enum import IntEnum


class Phase(IntEnum):
    FORWARD = 1
    SYNC = 2
    BPTT = 3
    GRAD = 4
    DESCENT = 5

    @property
    def key(self) -> str:
        """The word the command line accepts: ``forward``, ``sync``, ``bptt``, ``grad``, ``descent``."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Phase:
        """``2``, ``sync``, ``bptt``… → a phase; ValueError with a one-line reason otherwise."""
        s = str(text).strip().lower()
        if s.isdigit() and len(s) == 1 and 1 <= int(s) <= len(cls):
            return cls(int(s))
        for phase in cls:
            if s == phase.key:
                return phase
        raise ValueError(f"unknown phase {text!r} (expected 1-5 or one of {', '.join(p.key for p in cls)})")
