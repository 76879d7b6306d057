"""Exports of a trace: CSV, and the course's tables for LaTeX and Markdown (Qt-free). Weight files
in other libraries' layouts are :mod:`.weights`."""
from __future__ import annotations

import io

import numpy as np

from ..core import Trace


def trace_to_csv(trace: Trace) -> str:
    """One row per step t = 1 … T, one column per component of every per-step value and δ; the targets
    and the mask stand right after the output ŷ (``y_hat``), so each step's answer is beside its target."""
    T = trace.steps
    names, columns = ["t"], [np.arange(1, T + 1, dtype=float)]
    for key, flat in trace.step_arrays().items():
        _add(names, columns, key, flat)
        if key == "y_hat":
            for name, values in target_columns(trace).items():
                _add(names, columns, name, values.reshape(T, -1))
    buf = io.StringIO()
    buf.write(",".join(names) + "\n")
    np.savetxt(buf, np.column_stack(columns), delimiter=",", fmt="%.17g")
    return buf.getvalue()


def target_columns(trace: Trace) -> dict[str, np.ndarray]:
    """What ŷ is scored against: ``y`` (T, K) for mse, or ``y_class`` (T,), each step's class index
    into ``y_hat[0…K−1]``, for softmax_xent; and ``mask`` (T,), each step's weight in E."""
    data = trace.scenario.data
    target = "y_class" if trace.scenario.model.head.loss == "softmax_xent" else "y"
    return {target: data.targets, "mask": np.asarray(data.mask, dtype=np.float64)}


def _add(names: list[str], columns: list[np.ndarray], key: str, flat: np.ndarray) -> None:
    """A (T, n) array as one column ``key``, or n columns ``key[0]`` … ``key[n−1]``."""
    if flat.shape[1] == 1:
        names.append(key)
        columns.append(flat[:, 0])
        return
    for j in range(flat.shape[1]):
        names.append(f"{key}[{j}]")
        columns.append(flat[:, j])


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
