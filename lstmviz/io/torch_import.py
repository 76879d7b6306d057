"""A scenario from a PyTorch ``nn.LSTM`` (and an optional ``nn.Linear`` head), without importing torch.

The state dict is read as a mapping of names to array-likes: NumPy arrays, or tensors, which are
reached duck-typed through ``.detach().cpu().numpy()`` (anything with ``__array__`` works too). Its
names are those of ``nn.LSTM(D, H, num_layers).state_dict()``, each optionally behind one module
prefix (``lstm.weight_ih_l0`` from a model whose LSTM is ``self.lstm``):

* ``weight_ih_l{k}`` (4H_k × D_k) and ``weight_hh_l{k}`` (4H_k × H_k): the four gates stacked in rows in
  PyTorch's order i, f, g, o;
* ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (4H_k), both or neither (``bias=False``): lstmviz's b is their sum;
* with ``head="linear"``: ``<name>.weight`` (K × H) and ``<name>.bias`` (K) of one other module
  (``fc``, ``head``, ``linear``…), as ``nn.Linear(H, K)``; ŷ = W_y h + b_y.

The layer sizes come from the weights (H_k = rows / 4, D = the columns of ``weight_ih_l0``). The gate
order and the bias sum are converted by :func:`.weights.params_from_members`, the one home of the
PyTorch layout; the result is checked as a scenario file is (:func:`.scenario.parse_scenario`).

x is one sequence: (T, D), or (T, 1, D) — (1, T, D) with ``batch_first=True`` — as nn.LSTM takes
it; y is (T, K) targets for ``loss="mse"`` (with the same optional batch axis of 1) or T integer class
indices for ``loss="softmax_xent"`` (as ``nn.CrossEntropyLoss`` takes them). The initial state is zero,
as nn.LSTM's without (h0, c0).

Refused in one line (ScenarioError ``scenario_from_torch: <name> <what is wrong>``): names that are
not nn.LSTM's or its head's, missing or inconsistently shaped weights, the reverse direction of a
bidirectional LSTM (``_reverse``), a projection (``weight_hr``, ``proj_size``), values that are not
finite real numbers, a batch of more than one sequence.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..core.model import Data, Head, LSTMLayer, Model, Scenario
from ..core.train import assign_params
from .errors import ScenarioError
from .scenario import parse_scenario
from .scenario_writer import scenario_to_dict
from .weights import expected_members, params_from_members, refuse_unknown_members

SOURCE = "scenario_from_torch"
HEADS = (None, "linear")
LOSSES = ("mse", "softmax_xent")
_LSTM_NAME = re.compile(r"^(?:(?P<prefix>.+)\.)?(?P<bare>(?:weight|bias)_(?:ih|hh|hr)_l(?P<layer>\d+)(?:_reverse)?)$")
_HEAD_NAME = re.compile(r"^(?:(?P<prefix>.+)\.)?(?P<bare>weight|bias)$")


def scenario_from_torch(state_dict: Mapping[str, Any], x: Any, y: Any, *, head: str | None = None,
                        loss: str = "mse", batch_first: bool = False, name: str = "PyTorch LSTM") -> Scenario:
    """The scenario of an ``nn.LSTM`` state dict (plus an ``nn.Linear`` head with ``head="linear"``)
    run on one sequence x (T×D) with targets y; ScenarioError in one line otherwise (module docstring)."""
    if head not in HEADS:
        raise ScenarioError(SOURCE, "head", f"is {head!r}, expected None or 'linear'")
    if loss not in LOSSES:
        raise ScenarioError(SOURCE, "loss", f"is {loss!r}, expected 'mse' or 'softmax_xent'")
    if not isinstance(state_dict, Mapping):
        raise ScenarioError(SOURCE, "state_dict", "must be a mapping of names to arrays, got "
                                                  f"{type(state_dict).__name__}")
    members, original = _bare_members(state_dict, head)
    try:
        skeleton = _skeleton(members, head, loss, name)
        _check_members(members, skeleton)
        assign_params(skeleton, params_from_members(skeleton, members, "pytorch", SOURCE))
    except ScenarioError as e:  # name the member as the caller's state dict does (``lstm.weight_ih_l0``)
        raise ScenarioError(SOURCE, original(e.field), e.message) from None
    inputs = _inputs(x, batch_first, skeleton.model.input_size)
    T = len(inputs)
    skeleton.data = Data(x=inputs, y=_targets(y, loss, batch_first, T, skeleton.model.output_size), mask=np.ones(T))
    return parse_scenario(scenario_to_dict(skeleton), SOURCE)


def _bare_members(state_dict: Mapping[str, Any], head: str | None) -> tuple[dict[str, np.ndarray], Callable]:
    """The members under the pytorch layout's names (``head.weight`` for the head's) and a function
    giving a member's name as the caller's state dict spells it (or would: ``lstm.weight_hh_l1``); one
    prefix for the LSTM's names, one other for the head's."""
    members, prefixes = {}, {"lstm": set(), "head": set()}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise ScenarioError(SOURCE, repr(key), "is not a name: a state dict's keys are strings")
        lstm, linear = _LSTM_NAME.match(key), _HEAD_NAME.match(key)
        if lstm and lstm["bare"].startswith("weight_hr"):
            raise ScenarioError(SOURCE, key, "is the projection of an nn.LSTM with proj_size > 0: lstmviz's "
                                             "LSTMs have none (h is the layer's output)")
        if lstm:
            bare, part = lstm["bare"], "lstm"
        elif linear and head is None:
            raise ScenarioError(SOURCE, key, "looks like a linear head's weight: pass head='linear' to use it")
        elif linear:
            bare, part = f"head.{linear['bare']}", "head"
        else:
            raise ScenarioError(SOURCE, key, "is not a weight of nn.LSTM or of an nn.Linear head")
        prefixes[part].add((lstm or linear)["prefix"])
        if len(prefixes[part]) > 1:
            raise ScenarioError(SOURCE, key, f"belongs to a second {'nn.LSTM' if part == 'lstm' else 'head'} "
                                             f"({', '.join(sorted(str(p) for p in prefixes[part]))}): pass one")
        members[bare] = _array(value, key)

    def original(bare: str | None) -> str | None:
        part, bare_name = ("head", bare.removeprefix("head.")) if bare and bare.startswith("head.") else ("lstm", bare)
        prefix = next(iter(prefixes[part]), None) or ("<head>" if part == "head" else None)
        return f"{prefix}.{bare_name}" if prefix and bare_name else bare_name
    return members, original


def _array(value: Any, field: str, integers: bool = False) -> np.ndarray:
    """A tensor or array-like as a float64 array (int64 with ``integers``), every entry finite."""
    for method in ("detach", "cpu", "numpy"):  # a torch.Tensor, reached without importing torch
        if callable(getattr(value, method, None)):
            value = getattr(value, method)()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as e:
        raise ScenarioError(SOURCE, field, f"is not an array of numbers: {str(e)[:80]}") from None
    kinds = "iub" if integers else "fiub"
    if array.dtype.kind not in kinds or array.dtype.fields is not None:
        what = "class indices (integers)" if integers else "real numbers"
        raise ScenarioError(SOURCE, field, f"holds {array.dtype} values, expected {what}")
    array = array.astype(np.int64 if integers else np.float64)
    if not np.isfinite(array).all():
        raise ScenarioError(SOURCE, field, "contains NaN or infinity")
    return array


def _skeleton(members: dict[str, np.ndarray], head: str | None, loss: str, name: str) -> Scenario:
    """A scenario of the sizes the weights say (all parameters zero, no data yet): H_k = rows / 4 of
    ``weight_ih_l{k}``, D its columns, K the rows of ``head.weight``."""
    count = 1 + max((int(m["layer"]) for n in members if (m := _LSTM_NAME.match(n))), default=0)
    layers, d_in = [], None
    for k in range(count):
        W = members.get(f"weight_ih_l{k}")
        if W is None:
            raise ScenarioError(SOURCE, f"weight_ih_l{k}", "is missing")
        if W.ndim != 2 or W.shape[0] % 4 or not W.size:
            raise ScenarioError(SOURCE, f"weight_ih_l{k}", f"has shape {W.shape}, expected (4H, D): the four "
                                                          "gates' rows stacked, H ≥ 1 rows each")
        layers.append(LSTMLayer(input_size=W.shape[1] if d_in is None else d_in, hidden_size=W.shape[0] // 4,
                                params={}))
        d_in = layers[-1].hidden_size
    H = layers[-1].hidden_size
    if head is None:
        top = Head(type="identity", loss=loss, output_size=H)
    else:
        weight = members.get("head.weight")
        if weight is None:
            why = "" if "head.bias" in members else ": head='linear' needs an nn.Linear's weight and bias (fc.weight…)"
            raise ScenarioError(SOURCE, "head.weight", "is missing" + why)
        K = weight.shape[0] if weight.ndim == 2 else 1
        top = Head(type="linear", loss=loss, output_size=K, params={"W_y": np.zeros((K, H)), "b_y": np.zeros(K)})
    for layer in layers:
        layer.params = {key: np.zeros(shape) for key, shape in layer.param_shapes().items()}
    model = Model(input_size=layers[0].input_size, layers=layers, head=top)
    return Scenario(name=name, model=model, data=Data(x=np.zeros((0, model.input_size)), y=np.zeros(0),
                                                      mask=np.zeros(0)))


def _check_members(members: dict[str, np.ndarray], skeleton: Scenario) -> None:
    """Every member of the shape its layer's sizes give; none the layout has no place for."""
    expected = expected_members(skeleton, "pytorch")
    refuse_unknown_members(set(members), expected, skeleton, "pytorch", SOURCE)
    for member, (shape, _) in expected.items():
        if member in members and members[member].shape != shape:
            raise ScenarioError(SOURCE, member, f"has shape {members[member].shape}, expected {shape}")


def _inputs(x: Any, batch_first: bool, D: int) -> np.ndarray:
    """x as (T, D), from (T, D), (T, 1, D) or with ``batch_first`` (1, T, D)."""
    array = _array(x, "x")
    if array.ndim not in (2, 3) or not array.shape[0] or not array.shape[-1]:
        raise ScenarioError(SOURCE, "x", f"has shape {array.shape}, expected (T, {D}) or (T, 1, {D})")
    T = array.shape[1] if array.ndim == 3 and batch_first else array.shape[0]
    return _unbatched(array, "x", batch_first, (T, D))


def _unbatched(array: np.ndarray, field: str, batch_first: bool, shape: tuple[int, ...]) -> np.ndarray:
    batch_axis = 0 if batch_first else 1
    if array.ndim == len(shape) + 1:
        if array.shape[batch_axis] != 1:
            layout = "(batch, T, …)" if batch_first else "(T, batch, …)"
            raise ScenarioError(SOURCE, field, f"has shape {array.shape}: a batch of {array.shape[batch_axis]} "
                                               f"sequences {layout}; lstmviz shows one, pass a batch of 1")
        array = np.take(array, 0, axis=batch_axis)
    if array.shape != shape:
        raise ScenarioError(SOURCE, field, f"has shape {array.shape}, expected {shape}")
    return array


def _targets(y: Any, loss: str, batch_first: bool, T: int, K: int) -> np.ndarray:
    """(T, K) targets for mse; T class indices in 0…K−1 for softmax_xent."""
    if loss == "mse":
        return _unbatched(_array(y, "y"), "y", batch_first, (T, K))
    labels = _unbatched(_array(y, "y", integers=True), "y", batch_first, (T,))
    bad = np.flatnonzero((labels < 0) | (labels >= K))
    if len(bad):
        raise ScenarioError(SOURCE, f"y[{bad[0]}]", f"is {labels[bad[0]]}, expected a class index 0 to {K - 1}")
    return labels
