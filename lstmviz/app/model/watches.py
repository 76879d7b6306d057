"""Every watch of the scenario evaluated on one trace: its value at every step, its check, or why not."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...core import Trace
from ...core.model import Watch
from ...watch import Value, WatchError, evaluate
from ...watch.check import CheckResult, check
from ...watch.needs import Needs, needs


@dataclass
class WatchResult:
    value: Value | None         # None when it does not evaluate
    error: str | None           # why not
    check: CheckResult | None   # for a watch that should equal something
    needs: Needs | None = None  # the phase computing its inputs (None when it does not evaluate)


class WatchResults:
    """The watches of one trace; a watch may name earlier ones (w1, w2 …)."""

    def __init__(self, watches: list[Watch], trace: Trace):
        self.steps = trace.steps
        self.results: list[WatchResult] = []
        named: dict[str, Value] = {}
        named_needs: dict[str, Needs] = {}
        for n, w in enumerate(watches):
            value = error = result = wanted = None
            try:
                value = evaluate(w.expression, trace, named)
                named[f"w{n + 1}"] = value
                wanted = named_needs[f"w{n + 1}"] = _needs(w.expression, tuple(named_needs.items()))
                if w.equals:
                    result = check(w.expression, w.equals, trace, w.tolerance, named)
            except WatchError as e:
                error = str(e)
            self.results.append(WatchResult(value, error, result, wanted))

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, n: int) -> WatchResult:
        return self.results[n]

    def series(self, n: int, unit: int = 0) -> np.ndarray:
        """Watch n at every step, for ``unit`` (clipped to the watch's width); NaN if it does not evaluate."""
        value = self.results[n].value if n < len(self.results) else None
        if value is None:
            return np.full(self.steps, np.nan)
        per_step = value.per_step(self.steps)
        return per_step[:, min(unit, per_step.shape[1] - 1)]

    def at(self, n: int, t: int) -> float | np.ndarray:
        """Watch n at step t (1-based): a number, or a vector for a watch over several units."""
        row = self.results[n].value.per_step(self.steps)[t - 1]
        return row if row.size > 1 else float(row[0])


# An edit retraces every watch; what an expression needs does not depend on the trace (nor its tree: parse).
@lru_cache(maxsize=256)
def _needs(expression: str, earlier: tuple[tuple[str, Needs], ...]) -> Needs:
    return needs(expression, dict(earlier))
