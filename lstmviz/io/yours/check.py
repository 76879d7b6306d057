"""Their arrays against the engine's trace: the first entry, in computation order, where they part.

``check_arrays(scenario, arrays, mapping)`` reads their arrays (an ``.npz`` through the checked
reader :class:`~lstmviz.io.weights.NpzReader`: no pickles, headers before data, the shape each
array must have, finite values; or a dict of arrays), maps their names to trace keys (a built-in
layout, a JSON mapping or none: the names are trace keys), refuses what does not fit in one line
(:class:`~lstmviz.io.errors.ScenarioError`, naming the file and the array), and compares entry by
entry: an entry differs when |yours − engine| > atol + rtol·|engine|. The first disagreement is the
smallest in the order of :mod:`.order`; each array gets a verdict (:mod:`.report`).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from ...core.keys import Key
from ...core.model import Scenario
from ...core.trace import Trace
from ..errors import ScenarioError
from ..json_text import show
from ..opening import open_checked, open_loaded
from ..weights import NpzReader, real_array
from .layouts import LAYOUTS, data_only
from .mapping import Layout, Spec, parse_mapping, read_mapping
from .order import PHASE_OF, Order
from .report import ABSENT, AGREES, DIFFERS, NOT_COMPARED, Disagreement, Report, Verdict, plain_name

RTOL, ATOL = 1e-6, 1e-9
ArraysArg = str | os.PathLike | Mapping[str, np.ndarray]
MappingArg = str | os.PathLike | Mapping | None
NO_MAPPING = "arrays"  # the source named when their names are trace keys


def check_arrays(scenario: Scenario | str | os.PathLike, arrays: ArraysArg, mapping: MappingArg = None, *,
                 rtol: float = RTOL, atol: float = ATOL, gradient: str = "full", trace: Trace | None = None,
                 name: Callable[[str], str] = plain_name) -> Report:
    """Compare their arrays with the engine's trace of ``scenario`` under ``gradient``.

    ``scenario``: a Scenario, a scenario file or a preset (opened through the checked path);
    ``trace``: its trace when already computed (the window's). ``arrays``: an ``.npz`` path or a dict.
    ``mapping``: None (their names are trace keys), ``"pytorch"``, ``"keras"``, ``"karpathy"``, a
    mapping dict or a JSON file (docs/check-arrays.md). ScenarioError (a ValueError) on bad input.
    """
    for what, tol in (("rtol", rtol), ("atol", atol)):
        if not (np.isfinite(tol) and tol >= 0):
            raise ValueError(f"check_arrays: {what} must be a finite number ≥ 0, got {tol!r}")
    if trace is None:
        opened = (open_loaded(scenario, f"scenario {scenario.name!r}", gradient) if isinstance(scenario, Scenario)
                  else open_checked(scenario, gradient))
        trace = opened.trace
    specs, mapping_source = resolve_mapping(mapping, trace)
    layout = Layout(specs, trace, mapping_source)
    source, given, theirs = read_arrays(arrays, layout, trace)
    return compare(trace, layout, given, theirs, rtol, atol, source, name)


def resolve_mapping(mapping: MappingArg, trace: Trace) -> tuple[dict[str, Spec], str]:
    """The specs of a mapping argument (over the data file's names, known in every mapping) and the
    source its errors name."""
    specs, source = _mapping_specs(mapping, trace.scenario)
    return data_only(trace) | specs, source


def _mapping_specs(mapping: MappingArg, scenario: Scenario) -> tuple[dict[str, Spec], str]:
    if mapping is None:
        return {}, NO_MAPPING
    if isinstance(mapping, str) and mapping in LAYOUTS:
        return LAYOUTS[mapping](scenario, f"the {mapping} layout"), f"the {mapping} layout"
    if isinstance(mapping, Mapping):
        source, document = "mapping", mapping
    else:
        source = str(mapping)
        if not Path(mapping).exists() and Path(mapping).suffix.lower() != ".json":
            raise ScenarioError("mapping", None, f"{source!r} is neither a built-in layout ({', '.join(LAYOUTS)}) "
                                "nor a mapping file")
        document = read_mapping(mapping)
    specs = parse_mapping(document, source)
    base = document.get("layout")
    if base is None:
        return specs, source
    if not isinstance(base, str) or base not in LAYOUTS:
        raise ScenarioError(source, "layout", f"is {show(base)}, expected one of {', '.join(LAYOUTS)}")
    return LAYOUTS[base](scenario, source) | specs, source


def read_arrays(arrays: ArraysArg, layout: Layout, trace: Trace) -> tuple[str, set[str], dict[str, np.ndarray]]:
    """The source, the names they gave, and the arrays that are compared, checked against the shapes
    the layout gives them (an array the layout does not compare is not read)."""
    if isinstance(arrays, Mapping):
        _refuse_unknown(set(arrays), layout, "arrays", trace)
        return "arrays", set(arrays), {n: real_array("arrays", n, a, layout.their_shape(n), "arrays")
                                       for n, a in arrays.items() if layout.spec(n).compare}
    with NpzReader(arrays, what="arrays") as z:
        _refuse_unknown(z.names, layout, z.source, trace)
        return z.source, z.names, {n: z.read(n, layout.their_shape(n)) for n in sorted(z.names)
                                   if layout.spec(n).compare}


def _refuse_unknown(names: set[str], layout: Layout, source: str, trace: Trace) -> None:
    for name in sorted(names):
        if not layout.knows(name):
            expected = "a trace key (docs/engine.md)" + ("" if layout.source == NO_MAPPING else
                                                         f" or a name of {layout.source}")
            raise ScenarioError(source, name, f"is not {expected}{_layout_hint(names, layout, trace)}")


def _layout_hint(names: set[str], layout: Layout, trace: Trace) -> str:
    """When no mapping was given and a built-in layout knows every name: say which (mapping "pytorch"…)."""
    if layout.source != NO_MAPPING:
        return ""
    for built_in, specs in LAYOUTS.items():
        try:
            known = set(specs(trace.scenario, built_in))
        except ScenarioError:  # a layout that cannot describe this model
            continue
        if set(names) <= known | set(layout.shapes):
            return f"; these are the names of the {built_in} layout (--map {built_in}, mapping={built_in!r})"
    return ""


def compare(trace: Trace, layout: Layout, given: set[str], theirs: dict[str, np.ndarray], rtol: float, atol: float,
            source: str, name: Callable[[str], str] = plain_name) -> Report:
    """The report of their arrays (the names they gave; the compared ones read and checked) against the trace."""
    order = Order(trace)
    masks: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    verdicts = []
    for array in _rows(layout, given, order):
        spec = layout.spec(array)
        quantity = " + ".join(spec.keys) or "—"
        if not spec.compare:
            verdicts.append(Verdict(array, quantity, (), NOT_COMPARED))
            continue
        keys = tuple(p.key for p in layout.parts_of(array))
        if array not in theirs:
            verdicts.append(Verdict(array, quantity, keys, ABSENT))
            continue
        verdicts.append(_verdict(array, quantity, layout.convert(array, theirs[array]), trace, order, rtol, atol,
                                 masks, values))
    firsts = [v.first for v in verdicts if v.first is not None]
    first = min(firsts, key=lambda d: _sort_key(order, d, verdicts), default=None)
    return Report(first, verdicts, masks, values, rtol, atol, str(trace.mode), source, name)


def _rows(layout: Layout, given: set[str], order: Order) -> list[str]:
    """The table's arrays in computation order: every compared name of the layout (every trace key
    without one), and the others they gave."""
    names = [n for n, s in layout.specs.items() if s.compare] if layout.specs else list(layout.shapes)
    names += sorted(given - set(names))
    return sorted(dict.fromkeys(names), key=lambda n: _array_rank(layout, order, n))


def _array_rank(layout: Layout, order: Order, name: str) -> tuple:
    spec = layout.spec(name)
    if not spec.compare:
        return (9,)
    return min(order.rank(p.key) for p in layout.parts_of(name))


def _verdict(array: str, quantity: str, converted: dict[str, np.ndarray], trace: Trace, order: Order, rtol: float,
             atol: float, masks: dict, values: dict) -> Verdict:
    firsts, differing, compared = [], 0, 0
    for key, yours in converted.items():
        engine = trace[key]
        mask = ~(np.abs(yours - engine) <= atol + rtol * np.abs(engine))  # a non-finite engine value differs
        differing, compared = differing + int(mask.sum()), compared + mask.size
        if key not in masks or (mask.any() and not masks[key].any()):
            values[key] = yours
        masks[key] = masks[key] | mask if key in masks else mask
        at = _first_entry(order, key, mask)
        if at is not None:
            firsts.append((key, *at))
    if not firsts:
        return Verdict(array, quantity, tuple(converted), AGREES, compared=compared)
    key, row, index = min(firsts, key=lambda f: (order.rank(f[0], f[1] or 0), f[2]))
    at = (row, *index) if row is not None else index
    per_step = row is not None
    d = Disagreement(key, array, PHASE_OF[order.stage(key)], _layer(key), row + 1 if per_step else None, index,
                     float(converted[key][at]), float(trace[key][at]), differing, compared)
    return Verdict(array, quantity, tuple(converted), DIFFERS, d, differing, compared)


def _first_entry(order: Order, key: str, mask: np.ndarray) -> tuple[int | None, tuple[int, ...]] | None:
    """The first differing entry of one quantity in walk order: (0-based step or None, index)."""
    if not mask.any():
        return None
    if key not in order.per_step:
        return None, tuple(int(i) for i in np.unravel_index(int(np.argmax(mask)), mask.shape))
    rows = mask.reshape(len(mask), -1)
    steps = np.flatnonzero(rows.any(axis=1))
    row = int(steps[-1] if order.backwards_in_time(key) else steps[0])
    return row, tuple(int(i) for i in np.unravel_index(int(np.argmax(rows[row])), mask.shape[1:]))


def _layer(key: str) -> int | None:
    return Key.parse(key).layer


def _sort_key(order: Order, d: Disagreement, verdicts: list[Verdict]) -> tuple:
    position = next(n for n, v in enumerate(verdicts) if v.array == d.array)
    return (order.rank(d.key, (d.step or 1) - 1), d.index, position)
