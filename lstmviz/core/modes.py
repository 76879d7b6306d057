"""Gradient modes: which paths through time carry error back.

``full``      exact BPTT: every path.
``tbptt:K``   the sequence is cut into chunks of K steps (0..K-1, K..2K-1, …); the state carries
              across a cut, the gradient does not.
``cec``       Gers' truncated gradient: only the cell path c_{t-1} → c_t (through f) carries error
              back in time; h_{t-1} into the gates and candidate, and c_{t-1} into the i/f peepholes,
              count as constants. For an RNN layer nothing carries error back in time.
``window:K``  each cost E[t] sends its gradient back through exactly the last K steps t-K+1 … t; the
              state entering step t-K+1 counts as a constant *for that cost* (TensorFlow-style
              truncation: dE[t]/dW = Σ_{u<K} dE[t]/dW(t-u), W(s) being the copy of W used at step s).
              ``window:1`` is ``tbptt:1`` and a window covering the sequence is ``full``.

In every mode the same-step paths (from a layer to the one above, c_t → a_o through p_o) are intact.
full, cec and tbptt:K are each the exact gradient of one surrogate graph in which the cut edges read
their values as constants; :func:`lstmviz.core.forward.forward` can run that surrogate, which is how
gradcheck verifies the truncated modes with finite differences. window:K cuts a different edge for
every cost, so it is the sum over t of one surrogate per cost (:func:`lstmviz.core.forward.window_forwards`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MAX_TBPTT = 1_000_000
"""The largest K of ``tbptt:K`` and ``window:K``."""

LENGTH_KINDS = ("tbptt", "window")


@dataclass(frozen=True)
class GradientMode:
    kind: str  # "full" | "tbptt" | "cec" | "window"
    k: int = 0

    def __str__(self) -> str:
        return f"{self.kind}:{self.k}" if self.kind in LENGTH_KINDS else self.kind

    def cuts_all_at(self, t):
        """Whether every recurrent edge into step t (0-based) is cut (a tbptt chunk boundary); for an
        array of steps, a bool array (or False when no step can be cut).

        Never under window:K: there the edge into step t is cut only for the costs E[t+K-1], E[t+K], …
        and carries the error of the nearer ones."""
        return self.kind == "tbptt" and (t > 0) & (t % self.k == 0)

    def cuts_h(self, src, dst):
        """Whether error stops on the edge h[src] → step dst (0-based steps, src < dst, arrays welcome):
        always under cec, across a chunk boundary under tbptt:K, never otherwise (window:K cuts per cost).
        For src = dst − 1 it is :meth:`cuts_all_at` (dst) or not :attr:`recurrent_h`."""
        src, dst = np.asarray(src), np.asarray(dst)
        if not self.recurrent_h:
            return np.ones(np.broadcast(src, dst).shape, dtype=bool)
        if self.kind == "tbptt":
            return src // self.k != dst // self.k
        return np.zeros(np.broadcast(src, dst).shape, dtype=bool)

    def flows_back(self, steps: int) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
        """Per step t (0-based) of a sequence of ``steps``: whether δ flows from t back into t−1 through h,
        and whether it flows back at all (the cell path c[t−1] → c[t]). Kept per (mode, steps): every
        edit's trace asks again."""
        return _flows_back(self, steps)

    @property
    def recurrent_h(self) -> bool:
        """Whether h_{t-1} → gates/candidate carries error back (outside tbptt boundaries and windows)."""
        return self.kind != "cec"

    def resolved(self, steps: int) -> GradientMode:
        """The mode the engine runs on a sequence of ``steps``: window:1 is tbptt:1 and a window covering
        the whole sequence is full BPTT (the same gradients, computed the cheaper way)."""
        if self.kind == "window" and self.k == 1:
            return GradientMode("tbptt", 1)
        if self.kind == "window" and self.k >= steps:
            return FULL
        return self


@lru_cache(maxsize=64)
def _flows_back(mode: GradientMode, steps: int) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    t = np.arange(steps)
    boundary = (t == 0) | mode.cuts_all_at(t)
    return tuple((~boundary & mode.recurrent_h).tolist()), tuple((~boundary).tolist())


FULL = GradientMode("full")
CEC = GradientMode("cec")


def parse_mode(text: str) -> GradientMode:
    """Parse ``full``, ``cec``, ``tbptt:K`` or ``window:K``; raise ValueError with a one-line reason."""
    if isinstance(text, GradientMode):
        return text
    if not isinstance(text, str):
        raise ValueError(f"gradient mode must be a string, got {type(text).__name__}")
    s = text.strip().lower()
    if s in ("full", "cec"):
        return GradientMode(s)
    kind, colon, k = s.partition(":")
    if colon and kind in LENGTH_KINDS:
        if k.isdigit() and 1 <= int(k) <= MAX_TBPTT:
            return GradientMode(kind, int(k))
        what = "a chunk length" if kind == "tbptt" else "a window length"
        raise ValueError(f"{kind} needs {what} K between 1 and {MAX_TBPTT}, got {k!r}")
    raise ValueError(f"unknown gradient mode {text!r} (expected full, cec, tbptt:K or window:K)")
