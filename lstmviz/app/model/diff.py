"""Differences between two traces: what an edit or another gradient mode changed (Qt-free)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import Trace
from ...core.keys import Key
from ..style import entry_name, where

VANISH = 1e-12  # relative to the largest gradient of the trace


@dataclass
class GradientChange:
    key: str            # "l0/W_i"
    index: tuple[int, ...]
    old: float
    new: float

    @property
    def label(self) -> str:
        return f"{entry_name(self.key, self.index)} ({where(self.key)})"


@dataclass
class TraceDiff:
    sign_flips: list[GradientChange]
    vanished: list[GradientChange]
    appeared: list[GradientChange]
    changed_deltas: int   # δ entries that differ
    total_deltas: int
    loss_old: float
    loss_new: float


def diff_traces(old: Trace, new: Trace) -> TraceDiff:
    """Gradients that changed sign, vanished or appeared, and how many δ values moved."""
    flips, vanished, appeared = [], [], []
    keys = [k for k in new.keys() if k.startswith("grad/") and k in old and old[k].shape == new[k].shape]
    scale = max([float(np.abs(new[k]).max()) for k in keys] + [float(np.abs(old[k]).max()) for k in keys] + [0.0])
    tiny = VANISH * scale
    for k in keys:
        a, b = old[k], new[k]
        big_a, big_b = np.abs(a) > tiny, np.abs(b) > tiny
        for target, mask in ((vanished, big_a & ~big_b), (appeared, ~big_a & big_b),
                             (flips, big_a & big_b & (np.sign(a) != np.sign(b)))):
            target += [GradientChange(k[len("grad/"):], tuple(int(i) for i in index), float(a[index]), float(b[index]))
                       for index in zip(*np.nonzero(mask), strict=True)]
    changed = total = 0
    for k in new.keys():
        name = Key.parse(k).name
        if name.startswith("delta_") and k in old and old[k].shape == new[k].shape:
            total += new[k].size
            changed += int(np.sum(~np.isclose(old[k], new[k], rtol=1e-12, atol=0.0)))
    return TraceDiff(flips, vanished, appeared, changed, total, old.loss, new.loss)
