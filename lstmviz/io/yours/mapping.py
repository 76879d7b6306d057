"""Their array names → trace keys: one :class:`Spec` per array, read from JSON or built in (Qt-free).

A spec says how one of their arrays holds one or more trace quantities (docs/check-arrays.md):

* ``key`` — a trace key (``l0/delta_c``), a gate family with ``*`` for the gate (``l0/a_*``, ``l0/*``,
  ``grad/l0/W_*``: the four gates stacked along the unit axis), or a list of such keys joined along
  the last axis (Karpathy's ``WLSTM``ᵀ = [b | W | U]; a vector joins as one column);
* ``gates`` — their order of the stacked gate blocks, a permutation of ``ifog`` (PyTorch: ``ifgo``);
* ``transpose`` — their array is ours with its axes reversed (Keras's (D, 4H) kernel);
* ``time_offset`` — rows of their time axis before step 1 (an initial state stored first);
* ``batch_axis`` — an axis of length 1 (a batch of one sequence) that ours does not have;
* ``compare: false`` — a name known to the layout that holds no trace quantity (listed, not read).

The unit axis is axis 1 of a per-step array (T, H) and axis 0 of anything else ((H, D), (H,)).
Their shape follows from the trace's: stack, join, add the offset, reverse, insert the batch axis.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...core.model import GATES
from ..errors import ScenarioError
from ..json_text import JSONObject, decode, is_number, kind, show
from ..weights import split_gates

FIELDS = ("key", "gates", "transpose", "time_offset", "batch_axis", "compare")
MAX_MAP_BYTES = 1 << 20
_GATE_ORDER = re.compile(r"^(?!.*(.).*\1)[ifog]{4}$")


@dataclass(frozen=True)
class Spec:
    """How one of their arrays holds trace quantities (see the module docstring)."""

    keys: tuple[str, ...] = ()
    gates: str = "".join(GATES)
    transpose: bool = False
    time_offset: int = 0
    batch_axis: int | None = None
    compare: bool = True


@dataclass(frozen=True)
class Part:
    """One trace key inside their array (after un-batching, transposing and dropping the offset rows):
    ``join`` the slice of the last axis it occupies (None: the whole array), ``gate`` its block of the
    unit axis (None: not stacked)."""

    key: str
    join: slice | None
    gate: str | None
    unit_axis: int


class Layout:
    """The specs of their arrays by name, checked against one trace (its keys and shapes)."""

    def __init__(self, specs: Mapping[str, Spec], trace, source: str):
        self.specs, self.source = dict(specs), source
        self.per_step = set(trace.step_arrays())
        self.shapes = {k: np.shape(v) for k, v in trace.items()}
        self.parts = {name: self._parts(name, s) for name, s in self.specs.items() if s.compare}

    def spec(self, name: str) -> Spec:
        """The spec of a name; a name the layout does not list is read as the trace key it is."""
        return self.specs.get(name) or Spec(keys=(name,))

    def knows(self, name: str) -> bool:
        return name in self.specs or name in self.shapes

    def parts_of(self, name: str) -> list[Part]:
        return self.parts[name] if name in self.parts else self._parts(name, Spec(keys=(name,)))

    def their_shape(self, name: str) -> tuple[int, ...]:
        """The shape their array must have."""
        spec, parts = self.spec(name), self.parts_of(name)
        shape = list(self._ours(parts))
        if parts[0].key in self.per_step:
            shape[0] += spec.time_offset
        if spec.transpose:
            shape.reverse()
        if spec.batch_axis is not None:
            if spec.batch_axis > len(shape):
                raise ScenarioError(self.source, f"arrays.{name}.batch_axis", f"is {spec.batch_axis}, but the "
                                    f"array has only {len(shape) + 1} axes with it")
            shape.insert(spec.batch_axis, 1)
        return tuple(shape)

    def convert(self, name: str, array: np.ndarray) -> dict[str, np.ndarray]:
        """Their array (already of :meth:`their_shape`) as trace arrays by key."""
        spec, parts = self.spec(name), self.parts_of(name)
        if spec.batch_axis is not None:
            array = np.squeeze(array, axis=spec.batch_axis)
        if spec.transpose:
            array = array.T
        if parts[0].key in self.per_step:
            array = array[spec.time_offset:]
        out = {}
        for part in parts:
            piece = array if part.join is None else array[..., part.join]
            if part.gate is not None:
                piece = split_gates(piece, spec.gates, part.unit_axis)[part.gate]
            out[part.key] = piece.reshape(self.shapes[part.key]).copy()  # C order; 0-d stays 0-d
        return out

    def _parts(self, name: str, spec: Spec) -> list[Part]:
        field, joined = f"arrays.{name}.key", len(spec.keys) > 1
        families = [self._family(field, family, spec.gates) for family in spec.keys]
        parts, column = [], 0
        for family, (keys, shape) in zip(spec.keys, families, strict=True):
            if joined and (len(shape) not in (1, 2) or shape[0] != families[0][1][0] or keys[0] in self.per_step):
                raise ScenarioError(self.source, field, f"joins {family}: only weights and gradients of one height "
                                                        "join")
            width = (shape[-1] if len(shape) > 1 else 1) if joined else 0
            join = slice(column, column + width) if joined else None
            column += width
            gates = spec.gates if "*" in family else [None]
            unit_axis = 1 if keys[0] in self.per_step else 0
            parts += [Part(k, join, g, unit_axis) for k, g in zip(keys, gates, strict=True)]
        if spec.time_offset and parts[0].key not in self.per_step:
            raise ScenarioError(self.source, f"arrays.{name}.time_offset", f"is given, but {parts[0].key} has no "
                                                                           "time axis")
        return parts

    def _family(self, field: str, family: str, gates: str) -> tuple[list[str], tuple[int, ...]]:
        """The trace keys of one key or gate family and their common shape."""
        keys = [family.replace("*", g) for g in gates] if "*" in family else [family]
        for key in keys:
            if key not in self.shapes:
                raise ScenarioError(self.source, field, f"names {key}, which is not a trace key of this scenario")
        shape = self.shapes[keys[0]]
        if any(self.shapes[k] != shape for k in keys) or ("*" in family and not shape):
            raise ScenarioError(self.source, field, f"{family} does not stack: its gates' shapes differ")
        return keys, shape

    def _ours(self, parts: list[Part]) -> tuple[int, ...]:
        """The shape of their array in our orientation: the parts stacked and joined."""
        first = self.shapes[parts[0].key]
        stacked = list(first)
        if parts[0].gate is not None:
            stacked[parts[0].unit_axis] *= len(GATES)
        if parts[0].join is None:
            return tuple(stacked)
        rows = stacked[0]
        return (rows, max(p.join.stop for p in parts))


# -- reading a mapping ---------------------------------------------------------------------------------

def read_mapping(path: str | Path):
    """The decoded JSON of a mapping file (for :func:`parse_mapping`); ScenarioError naming the file."""
    source = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_MAP_BYTES + 1)
    except OSError as e:
        raise ScenarioError(source, None, f"cannot be read: {e.strerror or e}") from None
    if len(data) > MAX_MAP_BYTES:
        raise ScenarioError(source, None, f"is larger than {MAX_MAP_BYTES} bytes: not an array mapping")
    try:
        document = decode(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise ScenarioError(source, None, f"is not JSON: {str(e).splitlines()[0][:80]}") from None
    _object(document, source, "the mapping", ("layout", "arrays"))
    return document


def parse_mapping(document, source: str = "mapping") -> dict[str, Spec]:
    """Specs from a decoded mapping ``{"layout": NAME?, "arrays": {their name: spec}}`` (a dict
    from Python is read the same way); ``layout`` is resolved by the caller through ``base``."""
    _object(document, source, "the mapping", ("layout", "arrays"))
    arrays = document.get("arrays", {})
    _object(arrays, source, "arrays", None)
    return {name: parse_spec(value, source, f"arrays.{name}") for name, value in arrays.items()}


def parse_spec(value, source: str, field: str) -> Spec:
    """One array's spec: a trace key (a string) or an object with the fields of :data:`FIELDS`."""
    if isinstance(value, str):
        value = {"key": value}
    _object(value, source, field, FIELDS)
    compare = _typed(value, "compare", bool, True, source, field)
    if "key" not in value:
        if compare:
            raise ScenarioError(source, f"{field}.key", "is missing (or give \"compare\": false)")
        return Spec(compare=False)
    keys = value["key"]
    keys = [keys] if isinstance(keys, str) else keys
    if not (isinstance(keys, list) and keys and all(isinstance(k, str) and k for k in keys)):
        raise ScenarioError(source, f"{field}.key", f"is {kind(value['key'])} {show(value['key'])}, expected a "
                                                    "trace key or a list of them")
    gates = _typed(value, "gates", str, "".join(GATES), source, field)
    if not _GATE_ORDER.match(gates):
        raise ScenarioError(source, f"{field}.gates", f"is {show(gates)}, expected the four gates i, f, o, g in "
                                                      "their order, e.g. \"ifgo\"")
    if "gates" in value and not any("*" in k for k in keys):
        raise ScenarioError(source, f"{field}.gates", "is given but no key has a * for the gate")
    offset = _typed(value, "time_offset", int, 0, source, field)
    batch = _typed(value, "batch_axis", int, None, source, field)
    for name, number in (("time_offset", offset), ("batch_axis", batch)):
        if number is not None and not 0 <= number <= 1000:
            raise ScenarioError(source, f"{field}.{name}", f"is {number}, expected 0 or more")
    return Spec(tuple(keys), gates, _typed(value, "transpose", bool, False, source, field), offset, batch, compare)


def _object(value, source: str, field: str, allowed: tuple[str, ...] | None) -> None:
    if not isinstance(value, dict):
        raise ScenarioError(source, field, f"is {kind(value)}, expected an object")
    if isinstance(value, JSONObject) and value.duplicates:
        raise ScenarioError(source, f"{field}.{value.duplicates[0]}", "is given twice")
    unknown = sorted(set(value) - set(allowed)) if allowed is not None else []
    if unknown:
        raise ScenarioError(source, f"{field}.{unknown[0]}" if field != "the mapping" else unknown[0],
                            f"is not a field of an array mapping (expected {', '.join(allowed)})")


def _typed(value: dict, name: str, typ: type, default, source: str, field: str):
    if name not in value:
        return default
    got = value[name]
    ok = type(got) is bool if typ is bool else (is_number(got) and float(got).is_integer() if typ is int
                                                 else isinstance(got, typ))
    if not ok:
        expected = {bool: "true or false", int: "a whole number", str: "a string"}[typ]
        raise ScenarioError(source, f"{field}.{name}", f"is {kind(got)} {show(got)}, expected {expected}")
    return int(got) if typ is int else got
