"""Exports of a trace (CSV, tables for LaTeX and Markdown) and weight files in the layouts of other
libraries (Qt-free).

Weight layouts (one ``.npz`` per model, arrays float64; k is the layer index):

* ``pytorch`` — as ``torch.nn.LSTM(...).state_dict()``: ``weight_ih_l{k}`` (4H×D), ``weight_hh_l{k}``
  (4H×H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (4H), the four gates stacked in rows in PyTorch's order
  **i, f, g, o**; lstmviz's b = bias_ih + bias_hh (written as bias_ih = b, bias_hh = 0). A linear head
  is ``head.weight`` (K×H) and ``head.bias`` (K), as ``nn.Linear``.
* ``keras`` — as a Keras ``LSTM`` layer: ``layer{k}/kernel`` (D×4H), ``layer{k}/recurrent_kernel``
  (H×4H), ``layer{k}/bias`` (4H), the gates stacked in columns in Keras's order **i, f, c, o**; a linear
  head is ``dense/kernel`` (H×K) and ``dense/bias`` (K).

lstmviz's own order is i, f, o, g: importing permutes the blocks (PyTorch's block 2 is lstmviz's g,
block 3 its o; Keras likewise) and, for Keras, transposes. Both libraries' LSTMs are sigmoid gates, tanh
candidate and cell output, a forget gate and no peepholes, so only such layers can be exchanged.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..core import Trace
from ..core.model import LSTMLayer, Scenario
from .errors import ScenarioError

LAYOUTS = ("pytorch", "keras")
FOREIGN_ORDER = ("i", "f", "g", "o")  # PyTorch and Keras both put the candidate third (lstmviz: i, f, o, g)


def trace_to_csv(trace: Trace) -> str:
    """One row per step t = 1 … T, one column per component of every per-step value and δ."""
    T = trace.steps
    names, columns = ["t"], [np.arange(1, T + 1, dtype=float)]
    for key, flat in trace.step_arrays().items():
        if flat.shape[1] == 1:
            names.append(key)
            columns.append(flat[:, 0])
        else:
            for j in range(flat.shape[1]):
                names.append(f"{key}[{j}]")
                columns.append(flat[:, j])
    buf = io.StringIO()
    buf.write(",".join(names) + "\n")
    np.savetxt(buf, np.column_stack(columns), delimiter=",", fmt="%.17g")
    return buf.getvalue()


def lanes_table(trace: Trace, rows: list[tuple[str, str]], style: str = "markdown", digits: int = 2) -> str:
    """The course's tables: one row per (trace key, label), one column per step.

    ``rows`` are e.g. ``[("l0/c", "c[t]"), ("l0/h", "h[t]"), ("l0/delta_c", "δc[t]")]`` (unit 0 of
    each lane, or ``"l0/c:2"`` for unit 2). ``style`` is ``markdown`` or ``latex``.
    """
    T = trace.steps
    head = ["t"] + [str(t) for t in range(1, T + 1)]
    body = []
    for key, label in rows:
        name, _, unit = key.partition(":")
        values = trace[name].reshape(T, -1)[:, int(unit or 0)]
        body.append([label] + [f"{v:.{digits}f}" for v in values])
    if style == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines) + "\n"
    if style == "latex":
        tex = lambda s: s.replace("δ", r"$\delta$").replace("ε", r"$\varepsilon$").replace("c̃", r"$\tilde c$")  # noqa: E731
        lines = [r"\begin{tabular}{l" + "r" * T + "}", " & ".join(head) + r" \\ \hline"]
        lines += [" & ".join([tex(r[0])] + r[1:]) + r" \\" for r in body]
        return "\n".join(lines + [r"\end{tabular}"]) + "\n"
    raise ValueError(f"unknown table style {style!r} (expected markdown or latex)")


def export_weights(scenario: Scenario, layout: str, source: str = "scenario") -> dict[str, np.ndarray]:
    """The scenario's weights in another library's layout (see the module docstring); ``source``
    names the scenario in the error for a layer those libraries cannot describe."""
    out: dict[str, np.ndarray] = {}
    for k, layer in enumerate(_exchangeable(scenario, layout, source)):
        W = np.concatenate([layer.params[f"W_{g}"] for g in FOREIGN_ORDER])
        U = np.concatenate([layer.params[f"U_{g}"] for g in FOREIGN_ORDER])
        b = np.concatenate([layer.params[f"b_{g}"] for g in FOREIGN_ORDER])
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


def import_weights(scenario: Scenario, path: str | Path, layout: str) -> dict[str, np.ndarray]:
    """Read a weight file; return new parameter arrays by lstmviz key (``l0/W_i``…), checked against
    the scenario's shapes. Raises ScenarioError naming the file and the array."""
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: np.asarray(z[k], dtype=np.float64) for k in z.files}
    except (OSError, ValueError) as e:
        raise ScenarioError(source, None, f"is not a readable .npz file ({e})") from None
    layers = _exchangeable(scenario, layout, source)
    values: dict[str, np.ndarray] = {}
    for k, layer in enumerate(layers):
        H, D = layer.hidden_size, layer.input_size
        if layout == "pytorch":
            W = _get(arrays, f"weight_ih_l{k}", (4 * H, D), source)
            U = _get(arrays, f"weight_hh_l{k}", (4 * H, H), source)
            b = _get(arrays, f"bias_ih_l{k}", (4 * H,), source) + _get(arrays, f"bias_hh_l{k}", (4 * H,), source)
        else:
            W = _get(arrays, f"layer{k}/kernel", (D, 4 * H), source).T
            U = _get(arrays, f"layer{k}/recurrent_kernel", (H, 4 * H), source).T
            b = _get(arrays, f"layer{k}/bias", (4 * H,), source)
        for name, stacked in (("W", W), ("U", U), ("b", b)):  # the foreign blocks, in the foreign order
            blocks = zip(FOREIGN_ORDER, np.split(stacked, 4), strict=True)
            values.update({f"l{k}/{name}_{g}": block for g, block in blocks})
    head = scenario.model.head
    if head.type == "linear":
        K, H = head.params["W_y"].shape
        if layout == "pytorch":
            values["head/W_y"] = _get(arrays, "head.weight", (K, H), source)
            values["head/b_y"] = _get(arrays, "head.bias", (K,), source)
        else:
            values["head/W_y"] = _get(arrays, "dense/kernel", (H, K), source).T
            values["head/b_y"] = _get(arrays, "dense/bias", (K,), source)
    return {k: np.ascontiguousarray(v) for k, v in values.items()}


def _exchangeable(scenario: Scenario, layout: str, source: str) -> list[LSTMLayer]:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown weight layout {layout!r} (expected pytorch or keras)")
    for n, layer in enumerate(scenario.model.layers):
        if not (isinstance(layer, LSTMLayer) and layer.forget_gate and not layer.peepholes
                and layer.gate_activation == "sigmoid" and layer.candidate_activation == "tanh"
                and layer.cell_output_activation == "tanh"):
            raise ScenarioError(source, f"model.layers[{n}]", "is not a standard LSTM (sigmoid gates, tanh, forget "
                                f"gate, no peepholes): {layout} weights cannot describe it")
    return scenario.model.layers


def _get(arrays: dict[str, np.ndarray], key: str, shape: tuple[int, ...], source: str) -> np.ndarray:
    if key not in arrays:
        raise ScenarioError(source, key, "is missing")
    a = arrays[key]
    if a.shape != shape:
        raise ScenarioError(source, key, f"has shape {tuple(a.shape)}, expected {shape}")
    if not np.isfinite(a).all():
        raise ScenarioError(source, key, "contains NaN or Inf")
    return a

