"""LSTM weights in the layouts of other libraries, out and in (Qt-free).

Layouts (one ``.npz`` per model, k is the layer index):

* ``pytorch`` — as ``torch.nn.LSTM(...).state_dict()``: ``weight_ih_l{k}`` (4H×D), ``weight_hh_l{k}``
  (4H×H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (4H), the four gates stacked in rows in PyTorch's order
  **i, f, g, o**; lstmviz's b = bias_ih + bias_hh (written as bias_ih = b, bias_hh = 0; a file without
  either, from ``nn.LSTM(bias=False)``, means b = 0). A linear head is ``head.weight`` (K×H) and
  ``head.bias`` (K), as ``nn.Linear``.
* ``keras`` — as a Keras ``LSTM`` layer: ``layer{k}/kernel`` (D×4H), ``layer{k}/recurrent_kernel``
  (H×4H), ``layer{k}/bias`` (4H, absent with ``use_bias=False``), the gates stacked in columns in
  Keras's order **i, f, c, o**; a linear head is ``dense/kernel`` (H×K) and ``dense/bias`` (K).

lstmviz's own order is i, f, o, g: importing permutes the blocks and, for Keras, transposes. Both
libraries' LSTMs are sigmoid gates, tanh candidate and cell output, a forget gate and no peepholes, so
only such layers can be exchanged.

Importing reads only the members the scenario needs, checks each one's header (dtype, shape, size)
before reading its data, and refuses — by name, never silently — corrupt or complex members,
members the scenario has no place for (more layers, the reverse direction of a bidirectional LSTM,
a head the scenario does not have) and sums that overflow.
"""
from __future__ import annotations

import re
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..core.model import GATES, LSTMLayer, Scenario
from .errors import ScenarioError

LAYOUTS = ("pytorch", "keras")
FOREIGN_ORDER = ("i", "f", "g", "o")  # PyTorch and Keras both put the candidate third (lstmviz: i, f, o, g)
HEADER_SLACK = 4096                   # bytes of .npy header a member may hold beside its data
_LAYER_MEMBER = re.compile(r"^(?:weight|bias)_(?:ih|hh)_l(\d+)$|^layer(\d+)/")
_LAYOUT_OF = (("pytorch", re.compile(r"^(?:weight|bias)_(?:ih|hh)_l\d+|^head\.")),
              ("keras", re.compile(r"^layer\d+/|^dense/")))


def export_weights(scenario: Scenario, layout: str, source: str = "scenario") -> dict[str, np.ndarray]:
    """The scenario's weights in another library's layout; ``source`` names the scenario in the error
    for a layer those libraries cannot describe."""
    out: dict[str, np.ndarray] = {}
    for k, layer in enumerate(_exchangeable(scenario, layout, source)):
        W, U, b = (stack_gates({g: layer.params[f"{name}_{g}"] for g in GATES}) for name in ("W", "U", "b"))
        if layout == "pytorch":
            out.update({f"weight_ih_l{k}": W, f"weight_hh_l{k}": U, f"bias_ih_l{k}": b,
                        f"bias_hh_l{k}": np.zeros_like(b)})
        else:
            out.update({f"layer{k}/kernel": W.T.copy(), f"layer{k}/recurrent_kernel": U.T.copy(), f"layer{k}/bias": b})
    head = scenario.model.head
    if head.type == "linear":
        if layout == "pytorch":
            out.update({"head.weight": head.params["W_y"], "head.bias": head.params["b_y"]})
        else:
            out.update({"dense/kernel": head.params["W_y"].T.copy(), "dense/bias": head.params["b_y"]})
    return out


def export_data(scenario: Scenario) -> dict[str, np.ndarray]:
    """The scenario's inputs beside its weights, so that other code can run on exactly this scenario:
    ``x`` (T, D), ``y`` (T, K) targets for mse or (T,) class indices for softmax_xent, ``mask`` (T,) (0 where
    a step is not scored), and each layer's initial state ``l{k}/h0``, ``l{k}/c0`` (H,)."""
    data = scenario.data
    out = {"x": data.x, "y": data.y, "mask": data.mask}
    for k, layer in enumerate(scenario.model.layers):
        out[f"l{k}/h0"] = layer.h0
        if isinstance(layer, LSTMLayer):
            out[f"l{k}/c0"] = layer.c0
    return out


def import_weights(scenario: Scenario, path: str | Path, layout: str) -> dict[str, np.ndarray]:
    """New parameter arrays by lstmviz key (``l0/W_i``…) from a weight file, checked against the
    scenario; ScenarioError naming the file and the member otherwise."""
    source = str(path)
    _exchangeable(scenario, layout, source)
    expected = expected_members(scenario, layout)
    with NpzReader(path) as z:
        refuse_unknown_members(z.names, expected, scenario, layout, source)
        arrays = {name: z.read(name, shape) for name, (shape, _) in expected.items() if name in z.names}
    return params_from_members(scenario, arrays, layout, source)


def params_from_members(scenario: Scenario, arrays: dict[str, np.ndarray], layout: str,
                        source: str) -> dict[str, np.ndarray]:
    """New parameter arrays by lstmviz key from members already read and of the expected shapes (a
    weight file's, or a PyTorch state dict's in :mod:`.torch_import`): the foreign gate blocks split
    and renamed, b = bias_ih + bias_hh; ScenarioError naming a required member that is missing."""
    layers = _exchangeable(scenario, layout, source)
    for name, (_, required) in expected_members(scenario, layout).items():
        if required and name not in arrays:
            raise ScenarioError(source, name, "is missing")
    values: dict[str, np.ndarray] = {}
    for k, layer in enumerate(layers):
        W, U, b = _foreign_layer(arrays, k, layer, layout, source)
        for name, stacked in (("W", W), ("U", U), ("b", b)):  # the foreign blocks, in the foreign order
            values.update({f"l{k}/{name}_{g}": block for g, block in split_gates(stacked).items()})
    if scenario.model.head.type == "linear":
        weight, bias = ("head.weight", "head.bias") if layout == "pytorch" else ("dense/kernel", "dense/bias")
        values["head/W_y"] = arrays[weight] if layout == "pytorch" else arrays[weight].T
        values["head/b_y"] = arrays[bias]
    return {k: np.ascontiguousarray(v) for k, v in values.items()}


def _foreign_layer(arrays: dict[str, np.ndarray], k: int, layer: LSTMLayer, layout: str, source: str):
    """W (4H×D), U (4H×H) and b (4H) of layer k, stacked in the foreign gate order."""
    H = layer.hidden_size
    if layout == "pytorch":
        W, U = arrays[f"weight_ih_l{k}"], arrays[f"weight_hh_l{k}"]
        biases = [arrays[n] for n in (f"bias_ih_l{k}", f"bias_hh_l{k}") if n in arrays]
        if len(biases) == 1:
            present = f"bias_ih_l{k}" if f"bias_ih_l{k}" in arrays else f"bias_hh_l{k}"
            missing = f"bias_hh_l{k}" if present == f"bias_ih_l{k}" else f"bias_ih_l{k}"
            raise ScenarioError(source, missing, f"is missing ({present} is there; nn.LSTM has both or neither)")
        with np.errstate(over="ignore"):
            b = sum(biases) if biases else np.zeros(4 * H)
        if not np.isfinite(b).all():
            raise ScenarioError(source, f"bias_ih_l{k} + bias_hh_l{k}", "overflows: the sum is not finite")
        return W, U, b
    b = arrays.get(f"layer{k}/bias", np.zeros(4 * H))
    return arrays[f"layer{k}/kernel"].T, arrays[f"layer{k}/recurrent_kernel"].T, b


def split_gates(stacked: np.ndarray, order: str | tuple[str, ...] = FOREIGN_ORDER,
                axis: int = 0) -> dict[str, np.ndarray]:
    """The four gate blocks of an array stacked along ``axis`` in ``order`` (a permutation of
    :data:`~lstmviz.core.model.GATES`, e.g. PyTorch's i, f, g, o), by gate letter: (…, 4H, …) → 4 × (…, H, …)."""
    return dict(zip(order, np.split(stacked, len(GATES), axis=axis), strict=True))


def stack_gates(blocks: dict[str, np.ndarray], order: str | tuple[str, ...] = FOREIGN_ORDER,
                axis: int = 0) -> np.ndarray:
    """The inverse of :func:`split_gates`: the blocks by gate letter stacked along ``axis`` in ``order``."""
    return np.concatenate([blocks[g] for g in order], axis=axis)


def expected_members(scenario: Scenario, layout: str) -> dict[str, tuple[tuple[int, ...], bool]]:
    """Every member the scenario can take: name → (shape, required)."""
    out = {}
    for k, layer in enumerate(scenario.model.layers):
        H, D = layer.hidden_size, layer.input_size
        if layout == "pytorch":
            out.update({f"weight_ih_l{k}": ((4 * H, D), True), f"weight_hh_l{k}": ((4 * H, H), True),
                        f"bias_ih_l{k}": ((4 * H,), False), f"bias_hh_l{k}": ((4 * H,), False)})
        else:
            out.update({f"layer{k}/kernel": ((D, 4 * H), True), f"layer{k}/recurrent_kernel": ((H, 4 * H), True),
                        f"layer{k}/bias": ((4 * H,), False)})
    head = scenario.model.head
    if head.type == "linear":
        K, H = head.params["W_y"].shape
        if layout == "pytorch":
            out.update({"head.weight": ((K, H), True), "head.bias": ((K,), True)})
        else:
            out.update({"dense/kernel": ((H, K), True), "dense/bias": ((K,), True)})
    return out


def refuse_unknown_members(names: set[str], expected: dict, scenario: Scenario, layout: str, source: str) -> None:
    """Members the scenario has no place for are refused with the reason, never dropped."""
    layers = len(scenario.model.layers)
    for name in sorted(names - set(expected)):
        other = next((lay for lay, pattern in _LAYOUT_OF if lay != layout and pattern.match(name)), None)
        if other is not None:
            raise ScenarioError(source, name, f"is named as in the {other} layout, not the {layout} one: is the "
                                              f"file in the {other} layout?")
        if name.endswith("_reverse"):
            raise ScenarioError(source, name, "holds the reverse direction of a bidirectional LSTM: lstmviz's "
                                              "LSTMs run forward only")
        m = _LAYER_MEMBER.match(name)
        if m and int(m.group(1) or m.group(2)) >= layers:
            raise ScenarioError(source, name, f"belongs to layer {int(m.group(1) or m.group(2))}: the file holds "
                                              f"more layers than the scenario's {layers}")
        if name in ("head.weight", "head.bias", "dense/kernel", "dense/bias"):
            raise ScenarioError(source, name, "is a linear head's weight, but the scenario's head is identity "
                                              "(ŷ = h) and has no weights")
        raise ScenarioError(source, name, f"is not a weight of the {layout} layout this scenario can take "
                                          f"(expected {', '.join(sorted(expected))})")


def _exchangeable(scenario: Scenario, layout: str, source: str) -> list[LSTMLayer]:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown weight layout {layout!r} (expected pytorch or keras)")
    return standard_layers(scenario, layout, source)


def standard_layers(scenario: Scenario, layout: str, source: str) -> list[LSTMLayer]:
    """The scenario's layers when each is the LSTM other libraries implement (sigmoid gates, tanh
    candidate and cell output, a forget gate, no peepholes); ScenarioError naming the first that is not."""
    for n, layer in enumerate(scenario.model.layers):
        if not (isinstance(layer, LSTMLayer) and layer.forget_gate and not layer.peepholes
                and layer.gate_activation == "sigmoid" and layer.candidate_activation == "tanh"
                and layer.cell_output_activation == "tanh"):
            raise ScenarioError(source, f"model.layers[{n}]", "is not a standard LSTM (sigmoid gates, tanh, forget "
                                f"gate, no peepholes): {layout} weights cannot describe it")
    return scenario.model.layers


class NpzReader:
    """The members of an .npz file, read one by one after their headers were checked (no pickles, no
    member larger than its shape says, nothing read that is not asked for)."""

    def __init__(self, path: str | Path, what: str = "weights"):
        self.source, self.what = str(path), what
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as e:
            raise ScenarioError(self.source, None, f"is not an .npz file (a zip of .npy arrays): {_why(e)}") from None
        except OSError as e:
            raise ScenarioError(self.source, None, f"cannot be read: {e.strerror or e}") from None
        self.infos = {info.filename.removesuffix(".npy"): info for info in self.zip.infolist()}
        self.names = set(self.infos)

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def read(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Member ``name`` as float64 of exactly ``shape``; ScenarioError naming it otherwise."""
        info = self.infos[name]
        expected_bytes = int(np.prod(shape, dtype=np.int64)) * 8
        if info.file_size > expected_bytes + HEADER_SLACK:
            raise ScenarioError(self.source, name, f"is {info.file_size} bytes, more than an array of shape "
                                                   f"{shape} holds")
        try:
            with self.zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                               (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                if read_header is None:
                    raise ValueError(f".npy format version {version} is not supported")
                return self._data(f, name, shape, *read_header(f, max_header_size=HEADER_SLACK))
        except ScenarioError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, SyntaxError, TypeError,
                tokenize.TokenError) as e:  # numpy parses the header text; a mangled one fails in any of these
            raise ScenarioError(self.source, name, f"is not a readable array: {_why(e)}") from None

    def _data(self, f, name: str, shape: tuple[int, ...], stored: tuple, fortran: bool, dtype: np.dtype):
        _refuse_unreal(self.source, name, dtype, self.what)
        if tuple(stored) != tuple(shape):
            raise ScenarioError(self.source, name, f"has shape {tuple(stored)}, expected {tuple(shape)}")
        count = int(np.prod(shape, dtype=np.int64))
        data = f.read(count * dtype.itemsize)
        if len(data) != count * dtype.itemsize:
            raise ScenarioError(self.source, name, "is truncated")
        array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").astype(np.float64)
        return _finite(self.source, name, array)


def real_array(source: str, name: str, value, shape: tuple[int, ...], what: str = "weights") -> np.ndarray:
    """An array given in memory as float64 of exactly ``shape``, checked as :class:`NpzReader` checks a
    file's member (real numbers, the shape, finite); ScenarioError naming ``source`` and ``name``."""
    array = np.asarray(value)
    _refuse_unreal(source, name, array.dtype, what)
    if array.shape != tuple(shape):
        raise ScenarioError(source, name, f"has shape {array.shape}, expected {tuple(shape)}")
    return _finite(source, name, array.astype(np.float64))


def _refuse_unreal(source: str, name: str, dtype: np.dtype, what: str) -> None:
    if dtype.kind not in "fiub" or dtype.fields is not None or dtype.subdtype is not None:
        held = {"c": "complex numbers", "V": "a structured dtype", "O": "Python objects"}.get(dtype.kind, dtype)
        raise ScenarioError(source, name, f"holds {held}; {what} must be real numbers")


def _finite(source: str, name: str, array: np.ndarray) -> np.ndarray:
    if not np.isfinite(array).all():
        raise ScenarioError(source, name, "contains NaN or infinity")
    return array


def _why(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:80]
