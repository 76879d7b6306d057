"""Every number the app shows is written by one of these functions (Qt-free).

* :func:`fmt` — everywhere (graph nodes, the inspector, tables, the status bar): three significant
  digits, so that the digits shown adapt to the magnitude — "4.00", "0.400", "0.125", "12.4" — and
  whole numbers from 100 on ("113", "6086", "12345"); below 0.001 and from 100,000 on in scientific
  form ("6.60e-05", "1.23e+05"). 0 is "0"; negatives use the Unicode minus; non-finite values read
  "inf", "−inf", "nan"; vectors "[0.100, −2.00]" with at most 6 entries, then "…".
* ``fmt(v, short=True)`` — graph nodes and legends, at most 6 characters after the sign: the same
  from 0.01 on, two significant digits below ("0.0049"), and a compact scientific form ("6.6e-5",
  "1.2e5", "1e-300").
* :func:`fmt_signed` — differences: a + before positive numbers, "±0" for none.
* :func:`fmt_precise` — as many significant digits as asked (6 by default): settings such as η and the
  gradcheck listing.
* :func:`fmt_exact` — the shortest text that reads back as the same float, for values to edit.
"""
from __future__ import annotations

import math

import numpy as np

MAX_SHOWN = 6  # vector entries fmt shows
DIGITS = 3     # significant digits


def fmt(v, short: bool = False) -> str:
    if type(v) is not float:  # the common case (a Python float) skips the array checks
        if np.ndim(v) > 0:
            flat = np.ravel(v)
            shown = [fmt(x, short) for x in flat[:MAX_SHOWN]] + (["…"] if flat.size > MAX_SHOWN else [])
            return "[" + ", ".join(shown) + "]"
        v = float(v)
    a = abs(v)
    if short and (a < 0.01 or a >= 1e5) and math.isfinite(v) and v != 0:
        return _short_small_or_large(v)
    if 1e-3 <= a < 100:
        text = f"{v:#.{DIGITS}g}".rstrip(".")
    elif 100 <= a < 1e5:
        text = f"{v:.0f}"
    elif math.isnan(v):
        return "nan"
    elif math.isinf(v):
        return "inf" if v > 0 else "−inf"
    elif v == 0:
        return "0"
    else:
        text = f"{v:.{DIGITS - 1}e}"
    return "−" + text[1:] if text.startswith("-") else text


def _short_small_or_large(v: float) -> str:
    """Two significant digits: "0.0049" from 0.001 on, else "6.6e-5", "1.2e5" ("1e-300": the mantissa alone)."""
    if 1e-3 <= abs(v) < 0.01:
        text = f"{v:#.2g}"
    else:
        mantissa, _, exponent = f"{v:.1e}".partition("e")
        text = f"{mantissa}e{int(exponent)}"
        if len(text.lstrip("-")) > 6:
            mantissa, _, exponent = f"{v:.0e}".partition("e")
            text = f"{mantissa}e{int(exponent)}"
    return "−" + text[1:] if text.startswith("-") else text


def fmt_signed(v: float) -> str:
    """A difference as a graph node shows it: "+0.400", "−0.100", "±0"."""
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
