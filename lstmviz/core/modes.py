"""Gradient modes: which paths through time carry error back.

``full``      exact BPTT: every path.
``tbptt:K``   the sequence is cut into chunks of K steps (0..K-1, K..2K-1, …); the state carries
              across a cut, the gradient does not.
``cec``       Gers' truncated gradient: only the cell path c_{t-1} → c_t (through f) carries error
              back in time; h_{t-1} into the gates and candidate, and c_{t-1} into the i/f peepholes,
              count as constants. For an RNN layer nothing carries error back in time.

In every mode the same-step paths (from a layer to the one above, c_t → a_o through p_o) are intact.
Each mode is the exact gradient of a surrogate graph in which the cut edges read their values as
constants; :func:`lstmviz.core.forward.forward` can run that surrogate, which is how gradcheck
verifies the truncated modes with finite differences.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_TBPTT = 1_000_000


@dataclass(frozen=True)
class GradientMode:
    kind: str  # "full" | "tbptt" | "cec"
    k: int = 0

    def __str__(self) -> str:
        return f"tbptt:{self.k}" if self.kind == "tbptt" else self.kind

    def cuts_all_at(self, t: int) -> bool:
        """Whether every recurrent edge into step t (0-based) is cut (a tbptt chunk boundary)."""
        return self.kind == "tbptt" and t > 0 and t % self.k == 0

    @property
    def recurrent_h(self) -> bool:
        """Whether h_{t-1} → gates/candidate carries error back (outside tbptt boundaries)."""
        return self.kind != "cec"


FULL = GradientMode("full")
CEC = GradientMode("cec")


def parse_mode(text: str) -> GradientMode:
    """Parse ``full``, ``cec`` or ``tbptt:K``; raise ValueError with a one-line reason."""
    if isinstance(text, GradientMode):
        return text
    if not isinstance(text, str):
        raise ValueError(f"gradient mode must be a string, got {type(text).__name__}")
    s = text.strip().lower()
    if s in ("full", "cec"):
        return GradientMode(s)
    if s.startswith("tbptt:"):
        k = s[len("tbptt:"):]
        if k.isdigit() and 1 <= int(k) <= MAX_TBPTT:
            return GradientMode("tbptt", int(k))
        raise ValueError(f"tbptt needs a chunk length K between 1 and {MAX_TBPTT}, got {k!r}")
    raise ValueError(f"unknown gradient mode {text!r} (expected full, cec or tbptt:K)")
