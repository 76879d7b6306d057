"""Opening a scenario, the one path every command and the window take: read the file, check that its
trace (and the window, when there is one) fits in the memory budget, compute the trace, and evaluate
each watch once on it — or refuse with one line naming the file and the field. Nothing is switched
to the new scenario before all of this has passed."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from ..core import Scenario, Trace, compute
from ..core.budget import default_budget, format_size, trace_bytes
from ..core.model import Watch
from ..core.modes import GradientMode
from ..watch import Value, WatchError, evaluate
from ..watch.check import check, target_expression
from .errors import ScenarioError
from .scenario import load_scenario


@dataclass
class Opened:
    scenario: Scenario
    trace: Trace
    source: str


def open_checked(spec: str | os.PathLike, gradient: str | GradientMode | None = None, algorithm: str = "bptt",
                 budget: int | None = None, window_bytes: Callable[[Scenario], int] | None = None) -> Opened:
    """The scenario of a file or preset with its trace, checked; ScenarioError otherwise."""
    return open_loaded(load_scenario(spec), str(spec), gradient, algorithm, budget, window_bytes)


def open_loaded(scenario: Scenario, source: str, gradient: str | GradientMode | None = None, algorithm: str = "bptt",
                budget: int | None = None, window_bytes: Callable[[Scenario], int] | None = None) -> Opened:
    """The checks of :func:`open_checked` for a scenario already read (e.g. built in Python and
    re-read through ``parse_scenario``): memory, trace, watches; ScenarioError naming ``source``."""
    check_memory(scenario, source, budget, window_bytes)
    trace = compute(scenario, scenario.training.gradient if gradient is None else gradient, algorithm)
    check_watches(scenario.watches, trace, source)
    return Opened(scenario, trace, source)


def check_memory(scenario: Scenario, source: str, budget: int | None = None,
                 window_bytes: Callable[[Scenario], int] | None = None) -> None:
    """Refuse a scenario whose trace (plus the window's items) would need more than ``budget`` bytes."""
    budget = default_budget() if budget is None else budget
    need = trace_bytes(scenario) + (window_bytes(scenario) if window_bytes else 0)
    if need > budget:
        layers = scenario.model.layers
        widest = max(range(len(layers)), key=lambda n: layers[n].hidden_size)
        what = "the trace and the window need" if window_bytes else "the trace needs"
        raise ScenarioError(source, "data.x", f"has {scenario.data.steps} steps and model.layers[{widest}].hidden_size "
                            f"is {layers[widest].hidden_size}: {what} about {format_size(need)}, more than the "
                            f"memory budget of {format_size(budget)} (--memory-budget)")


def check_watches(watches: list[Watch], trace: Trace, source: str) -> list[Value]:
    """Evaluate every watch once (and what it should equal): the values, or ScenarioError naming
    ``watches[n].expression`` or ``watches[n].equals``."""
    named: dict[str, Value] = {}
    values = []
    for n, w in enumerate(watches):
        field = f"watches[{n}]"
        try:
            value = evaluate(w.expression, trace, named)
        except WatchError as e:
            raise ScenarioError(source, f"{field}.expression", f"does not evaluate: {e}") from None
        if w.equals:
            try:
                evaluate(target_expression(w.equals), trace, named)
                check(w.expression, w.equals, trace, w.tolerance, named)
            except WatchError as e:
                raise ScenarioError(source, f"{field}.equals", f"cannot be compared: {e}") from None
        named[f"w{n + 1}"] = value
        values.append(value)
    return values
