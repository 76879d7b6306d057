"""One lane's numbers ready to draw: colour indices from NumPy, QColors and text made only for the
nodes that are on screen, and the lane as a row of ARGB pixels for the heat strip."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QColor

from ... import style
from ...model.lanes import LaneShown

N_COLOURS = 257  # a colour map sampled at this many points from −1 to 1


def _lut(stops, n: int = N_COLOURS) -> list[QColor]:
    """A colour map sampled at n points from −1 to 1."""
    xs = np.array([p for p, _ in stops])
    rgb = np.array([QColor(c).getRgb()[:3] for _, c in stops], float)
    grid = np.linspace(0, 1, n)
    return [QColor(*(int(round(np.interp(x, xs, rgb[:, k]))) for k in range(3))) for x in grid]


LUTS = {name: _lut(stops) for name, stops in style.COLOUR_MAPS.items()}
ARGB = {name: np.array([c.rgba() for c in lut], np.uint32) for name, lut in LUTS.items()}
BLACK = QColor(style.NON_FINITE)
BLANK = QColor(style.NO_VALUE)
FUTURE = QColor(style.NOT_COMPUTED)
SINGLES = {id(lut): [[c] for c in lut] for lut in LUTS.values()}  # a node's fills: one shared list per colour
BLACK_FILL, BLANK_FILL = [BLACK], [BLANK]


def colour_indices(values: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Where each value falls on a colour map spanning −scale … scale (an index into ``LUTS[…]``), and
    which values are not finite (drawn black); both shaped like ``values``."""
    v = np.asarray(values, float)
    x, bad = np.clip(v / scale, -1, 1), ~np.isfinite(v)
    if bad.any():  # ±inf are clipped already; NaN sits in the middle (drawn black anyway)
        x[np.isnan(x)] = 0.0
    return np.rint((x * 0.5 + 0.5) * (N_COLOURS - 1)).astype(int), bad


class LaneColours:
    """What a lane's nodes show (:meth:`apply`) and its row of the heat strip (:meth:`pixels`)."""

    def __init__(self, shown: LaneShown, scale: float, colour_map: str, text: Callable[[float], str]):
        v = shown.values
        self.values, self.categorical, self.format = v, shown.categorical, text
        self.has_value = v is not None
        self.blank = v is None or shown.categorical  # drawn without colour
        self.lut, self.argb = LUTS[colour_map], ARGB[colour_map]
        self.idx, self.bad = (None, None) if self.blank else colour_indices(v, scale)
        self.eps_values = shown.eps
        self.eps_idx, self.eps_bad = (None, None) if shown.eps is None else colour_indices(shown.eps, scale)
        self.kinks = shown.kinks

    def _colour(self, k: int, bad: bool) -> QColor:
        return BLACK if bad else self.lut[k]

    def apply(self, items: list) -> None:
        """The nodes' numbers, nodes of this lane: each step's fills, text, ε and kink (the playhead decides
        which are shown). One pass per lane: the arrays are read for all the nodes at once."""
        i = [item.t - 1 for item in items]
        fills, texts, kinks, eps = self._fills(i), self._texts(i), self._kinks(i), self._eps(i)
        has_value = self.has_value
        for item, f, text, kink, e in zip(items, fills, texts, kinks, eps, strict=True):
            item.has_value, item.value_fills, item.value_text, item.on_kink, item.eps = has_value, f, text, kink, e

    def _fills(self, i: list[int]) -> list[list[QColor]]:
        """One colour per node (a shared list per colour), or one per component of a vector lane."""
        if self.blank:
            return [BLANK_FILL] * len(i)
        idx, bad = self.idx[i].tolist(), self.bad[i].tolist()
        if self.idx.ndim == 1:
            singles = SINGLES[id(self.lut)]
            return [BLACK_FILL if b else singles[k] for k, b in zip(idx, bad, strict=True)]
        return [[self._colour(k, b) for k, b in zip(ks, bs, strict=True)] for ks, bs in zip(idx, bad, strict=True)]

    def _texts(self, i: list[int]) -> list[str]:
        v = self.values
        if v is None or v.ndim != 1:
            return [""] * len(i)
        if self.categorical:
            return [f"{x:.0f}" for x in v[i].tolist()]
        return list(map(self.format, v[i].tolist()))

    def _kinks(self, i: list[int]) -> list[bool]:
        return [False] * len(i) if self.kinks is None else self.kinks[i].tolist()

    def _eps(self, i: list[int]) -> list[tuple[QColor, str] | None]:
        """ε of each h node (its colour and text), if the lane has one."""
        if self.eps_values is None:
            return [None] * len(i)
        return [(self._colour(k, b), self.format(x)) for k, b, x in
                zip(self.eps_idx[i].tolist(), self.eps_bad[i].tolist(), self.eps_values[i].tolist(), strict=True)]

    def pixels(self, done: np.ndarray, eps_done: np.ndarray) -> np.ndarray:
        """(T, n) ARGB colours of the lane's cells in the heat strip (n components): hatched grey where not
        computed yet, ε where only ε is (phase 2), the value or δ elsewhere."""
        T = len(done)
        if self.blank:
            out = np.full((T, 1), BLANK.rgba(), np.uint32)
        else:
            out = np.where(self.bad, BLACK.rgba(), self.argb[self.idx]).astype(np.uint32).reshape(T, -1)
        eps_alone = eps_done & ~done if self.eps_values is not None else np.zeros(T, bool)
        if eps_alone.any():
            eps = np.where(self.eps_bad, BLACK.rgba(), self.argb[self.eps_idx]).astype(np.uint32)
            out[eps_alone] = eps[eps_alone, None]
        if self.has_value:
            out[~done & ~eps_alone] = FUTURE.rgba()
        return out
