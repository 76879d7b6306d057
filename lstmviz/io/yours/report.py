"""What :func:`~lstmviz.io.yours.check.check_arrays` found: the first disagreement and a verdict per array.

``str(report)`` is one line (the first disagreement, or that everything present agrees) followed by
the table of every array, so that ``assert report.ok, report`` explains itself in a pytest run.
Numbers are written with ten significant digits: a disagreement can sit in the seventh.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...core.phases import Phase

AGREES, DIFFERS, ABSENT, NOT_COMPARED = "agrees", "differs", "absent", "not compared"


@dataclass(frozen=True)
class Disagreement:
    """One entry where their value and the engine's part: ``|yours − engine| > atol + rtol·|engine|``.

    ``step`` is 1-based as the app shows it (None for a quantity without steps: a gradient, E, h0);
    ``index`` the entry within the step: ``(unit,)`` of a (T, H) quantity, ``(row, col)`` of a
    gradient matrix, ``(unit,)`` of a vector, ``()`` for E."""

    key: str                  # the trace key, e.g. "l0/delta_c"
    array: str                # their array's name, e.g. "dC"
    phase: Phase
    layer: int | None         # None for x, the head, E and dx
    step: int | None
    index: tuple[int, ...]
    yours: float
    engine: float
    differing: int            # entries of this array that differ (this one included)
    compared: int             # entries of this array compared

    @property
    def unit(self) -> int | None:
        """The unit (or output, or input) of a per-step quantity or a vector, None for a matrix entry."""
        return self.index[0] if len(self.index) == 1 else None


@dataclass(frozen=True)
class Verdict:
    """One of their arrays: ``status`` is agrees, differs, absent or not compared."""

    array: str
    quantity: str             # the trace key(s) it holds, as the mapping writes them ("l0/a_*")
    keys: tuple[str, ...]
    status: str
    first: Disagreement | None = None
    differing: int = 0
    compared: int = 0


def plain_name(key: str) -> str:
    """The default name of a quantity in the report's text: its trace key."""
    return key


@dataclass
class Report:
    """The result of checking their arrays against a trace.

    ``masks`` holds, per trace key they gave, where their values differ (the trace's shape);
    ``values`` their values by trace key (for "yours → engine"); ``name`` writes a trace key as the
    text names it (the command line passes the course's names)."""

    first: Disagreement | None
    verdicts: list[Verdict]
    masks: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    rtol: float
    atol: float
    gradient: str
    source: str
    name: Callable[[str], str] = field(default=plain_name, repr=False)

    @property
    def ok(self) -> bool:
        """True when every array present agrees and at least one was compared (absent arrays do not
        count against it; a file with nothing to compare is not a pass)."""
        return self.first is None and self.compared > 0

    @property
    def compared(self) -> int:
        """How many of their arrays were compared (agree or differ)."""
        return sum(v.status in (AGREES, DIFFERS) for v in self.verdicts)

    def verdict(self, array: str) -> Verdict:
        """The verdict of one of their arrays by name; KeyError when the report has none."""
        for v in self.verdicts:
            if v.array == array:
                return v
        raise KeyError(array)

    def summary(self) -> str:
        """The one line: the first disagreement, or that everything present agrees."""
        if self.first is not None:
            return f"first disagreement: {self.describe(self.first)}"
        absent = sum(v.status == ABSENT for v in self.verdicts)
        if not self.compared:
            return f"{self.source}: NOTHING COMPARED: no array holds a quantity of the trace ({absent} absent)"
        return (f"{self.source}: all {self.compared} arrays present agree with the engine (gradient "
                f"{self.gradient}, rtol {self.rtol:g}, atol {self.atol:g}); {absent} absent")

    def describe(self, d: Disagreement) -> str:
        """``δc (l0/delta_c) at layer 0, step 5, unit 1: yours 0.1 → engine 0.2 (your dC; phase 3 bptt; …)``"""
        label = self.name(d.key)
        what = label if label == d.key else f"{label} ({d.key})"
        where = [f"layer {d.layer}"] if d.layer is not None else []
        where += [f"step {d.step}"] if d.step is not None else []
        if d.unit is not None:
            where.append(f"unit {d.unit}")
        elif d.index:
            where.append(f"entry ({', '.join(map(str, d.index))})")
        at = f" at {', '.join(where)}" if where else ""
        return (f"{what}{at}: yours {d.yours:.10g} → engine {d.engine:.10g} (your {d.array}; phase "
                f"{int(d.phase)} {d.phase.key}; {d.differing} of {_entries(d.compared)} "
                f"{'differs' if d.differing == 1 else 'differ'})")

    def table(self) -> list[str]:
        """One row per array: its name, the trace keys it holds, the verdict."""
        rows = [("your array", "trace key", "verdict")]
        rows += [(v.array, v.quantity, _verdict_text(v)) for v in self.verdicts if v.status != ABSENT]
        absent = [v.array for v in self.verdicts if v.status == ABSENT]
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        lines = [f"  {a:<{widths[0]}}  {q:<{widths[1]}}  {t}" for a, q, t in rows]
        if absent:
            lines.append(f"  absent ({len(absent)}): {', '.join(absent)}")
        return lines

    def __str__(self) -> str:
        return "\n".join([self.summary(), *self.table()])


def _verdict_text(v: Verdict) -> str:
    if v.status != DIFFERS or v.first is None:
        return f"{v.status} ({_entries(v.compared)})" if v.status == AGREES else v.status
    d = v.first
    where = [f"step {d.step}"] if d.step is not None else []
    where += [f"unit {d.unit}"] if d.unit is not None else ([f"entry ({', '.join(map(str, d.index))})"]
                                                            if d.index else [])
    where = ([d.key] if len(v.keys) > 1 else []) + where
    first = f"first at {', '.join(where)}; " if where else ""
    return f"differs: {first}{v.differing} of {_entries(v.compared)}"


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"
