"""Every number the app shows is written by one of these functions (Qt-free).

* :func:`fmt` — the inspector, tables and messages: 0 → "0.00"; 0.01 ≤ |v| < 10⁴ → two decimals;
  otherwise 3 significant digits ("1.2e-05"). Negatives use the Unicode minus; non-finite values read
  "inf", "−inf", "nan"; vectors "[0.10, −2.00]" with at most 6 entries, then "…".
* ``fmt(v, short=True)`` — graph nodes and legends, at most 8 characters: two decimals for
  0.01 ≤ |v| < 1000, otherwise 2 significant digits ("1.2e+03").
* :func:`fmt_signed` — differences: a + before positive numbers, "±0" for none.
* :func:`fmt_precise` — 6 significant digits (or as many as asked), for E in the status bar, settings
  such as η, and the gradcheck listing.
* :func:`fmt_exact` — the shortest text that reads back as the same float, for values to edit.
"""
from __future__ import annotations

import math

import numpy as np

MAX_SHOWN = 6  # vector entries fmt shows


def fmt(v, short: bool = False) -> str:
    if type(v) is not float:  # the common case (a Python float) skips the array checks
        if np.ndim(v) > 0:
            flat = np.ravel(v)
            shown = [fmt(x, short) for x in flat[:MAX_SHOWN]] + (["…"] if flat.size > MAX_SHOWN else [])
            return "[" + ", ".join(shown) + "]"
        v = float(v)
    a = abs(v)
    if 0.01 <= a < (1e3 if short else 1e4):
        text = f"{v:.2f}"
    elif math.isnan(v):
        return "nan"
    elif math.isinf(v):
        return "inf" if v > 0 else "−inf"
    elif v == 0:
        return "0.00"
    else:
        text = f"{v:.{2 if short else 3}g}"
    return "−" + text[1:] if text.startswith("-") else text


def fmt_signed(v: float) -> str:
    """A difference as a graph node shows it: "+0.40", "−0.10", "±0"."""
    if v == 0:
        return "±0"
    text = fmt(v, short=True)
    return "+" + text if v > 0 else text


def fmt_precise(v: float, digits: int = 6) -> str:
    """``digits`` significant digits ("0.125", "6.24123", "1.5e-07"), with the Unicode minus."""
    text = f"{float(v):.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


def fmt_exact(v: float) -> str:
    """The value of an entry to edit: whole numbers as "1.0", others exactly ("0.8375000000000001")."""
    v = float(v)
    return repr(v) if not math.isfinite(v) or v != int(v) or abs(v) > 1e15 else f"{v:.1f}"
