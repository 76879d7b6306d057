"""The two highways: a weight's gradient (or δc[t]) split by lag and by the route its error took back in time.

A stacked bar per lag u: the share of dE/dw that left the cost E[t] and reached the copy of w used at step
t − u along the cell highway c[r] → c[r−1] (multiplied by f) all the way, or that left the highway into a
gate (via i, f, o, c̃; an RNN: via h); lag 0 is the same step. Positive shares stack up from zero, negative
ones down. The numbers come from :mod:`lstmviz.core.routes` under the document's gradient mode; the panel
only draws them. It follows the selection: a weight entry (an edge, the Weights panel) or a cell node c
(then δc at that step). The weight box picks one by name otherwise.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...core.analysis import pick_weight, weight_text
from ...core.keys import Key
from ...core.model import LSTMLayer
from ...core.params import param_array, param_blocks
from ...core.routes import ROUTES, RouteSplit, delta_c_routes, weight_routes
from .. import style
from ..model.equations.notation import param_label
from ..model.session import Session
from ..numbers import fmt
from ..qt.binding import LazyPanel, observe

MAX_LAGS = 40  # bars drawn one per lag; older lags share one bar "≥ 40"


def _math(text: str) -> str:
    """A quantity's name in the math face, which places the tilde of c̃ over the c."""
    return f"<span style='font-family:\"{style.MATH_FAMILY}\"'>{text}</span>"


class _NumberAxis(pg.AxisItem):
    """An axis whose tick labels are written like every other number of the app (3.4e-4, not 0.00034)."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self.setWidth(80)

    def tickStrings(self, values, scale, spacing):
        return [fmt(float(v) * scale, short=True) for v in values]


class RoutesPanel(LazyPanel, QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.document = session, session.document
        self.split: RouteSplit | None = None
        self.cell: tuple[int, int, int] | None = None  # (layer, t, unit) when showing δc[t]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self._controls())
        self.plot = pg.PlotWidget(background=style.PLOT_BACKGROUND, axisItems={"left": _NumberAxis("left")})
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "lag u = t − s  (from the cost E[t] back to step s)")
        self.legend = self._legend_below()
        layout.addWidget(self.plot, 1)
        self.sums = QLabel(" ")
        self.sums.setWordWrap(True)
        self.sums.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sums)
        doc = self.document
        observe(self, (doc.trace_changed, self.refresh_soon), (doc.structure_changed, self.refresh_soon),
                (session.view.selection_changed, self._on_selection))
        self._on_selection()  # made when its tab first comes up: the weight or cell selected before

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.weight_edit = QLineEdit("auto")
        self.weight_edit.setToolTip("The weight entry, e.g. l0/U_f[0,1]; l0/U_f alone: its entry with the largest "
                                    "gradient; auto: the recurrent entry with the largest gradient. Selecting a "
                                    "weight puts it here; selecting a cell node c shows δc at that step instead")
        self.weight_edit.setMaximumWidth(170)
        self.weight_edit.editingFinished.connect(self._on_typed)
        self.showing = QLabel()
        for w in (QLabel("weight"), self.weight_edit):
            row.addWidget(w)
        row.addWidget(self.showing, 1)
        return row

    def _legend_below(self) -> pg.LegendItem:
        """The routes' legend in a row of its own under the bottom axis, never over the bars."""
        item = self.plot.getPlotItem()
        legend = pg.LegendItem(colCount=len(ROUTES), labelTextColor=style.TEXT)
        item.layout.addItem(legend, 4, 1)  # rows 0–3: title, top axis, view box, bottom axis
        item.layout.setAlignment(legend, Qt.AlignmentFlag.AlignHCenter)
        item.legend = legend  # PlotItem.addItem and clear keep it up to date, as with addLegend
        return legend

    # -- what is shown -------------------------------------------------------------------------------------
    def _on_typed(self) -> None:
        self.cell = None
        self.refresh()

    def _on_selection(self) -> None:
        """A selected weight entry, or a cell node c of an LSTM layer (δc at its step), becomes the one shown."""
        view, model = self.session.view, self.document.scenario.model
        node = view.selection
        if view.selected_weight is not None:
            key, index = view.selected_weight
            if key not in {b.key for b in param_blocks(model)}:  # an initial state or the data: not a weight
                return
            self.weight_edit.setText(weight_text(key, index))
            self.cell = None
        elif node is not None and node.var == "c" and isinstance(model.layers[node.layer], LSTMLayer):
            self.cell = (node.layer, node.t, node.unit)
        else:
            return
        self.refresh()

    def _update(self) -> None:
        trace = self.document.trace
        lags = min(trace.steps, MAX_LAGS)
        try:
            if self.cell is not None:
                self.split = delta_c_routes(trace, *self.cell, lags=lags)
            else:
                self.split = weight_routes(trace, *pick_weight(trace, self.weight_edit.text()), lags=lags)
        except ValueError as e:
            self.split = None
            self._clear()
            self.sums.setText(f"Routes ▸ weight: {e}")
            return
        self._draw(self.split)

    # -- drawing -----------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """What is split, in the course's letters: ``dE/dW_c̃[1, 0]`` or ``δc[5]``."""
        if self.cell is not None:
            return f"δc[{self.cell[1]}]"
        key, _, rest = self.split.label.partition("[")
        index = tuple(int(i) for i in rest.rstrip("]").split(","))
        array = param_array(self.document.scenario.model,
                            next(b for b in param_blocks(self.document.scenario.model) if b.key == key))
        return f"dE/d{param_label(array, Key.parse(key).name, index)}"  # a 1×1 weight: the course's u, w_c̃

    def _clear(self) -> None:
        self.plot.clear()

    def _draw(self, split: RouteSplit) -> None:
        self._clear()
        values, x = self.columns(split)
        self.legend.setColumnCount(len(split.routes))
        up, down = np.zeros(len(x)), np.zeros(len(x))
        for route in split.routes:
            v = np.nan_to_num(values[ROUTES.index(route)])
            base = np.where(v >= 0, up, down)
            self.plot.addItem(pg.BarGraphItem(x=x, y0=base, height=v, width=0.75, brush=style.ROUTE_COLOURS[route],
                                              pen=None, name=_math(style.ROUTE_NAMES[route]), route=route))
            up, down = up + np.maximum(v, 0), down + np.minimum(v, 0)
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.PLOT_ZERO)))
        L = split.parts.shape[1]
        self.plot.getAxis("bottom").setTicks([self._ticks(L, len(x) > L)])
        self.plot.setLabel("left", f"share of {_math(self.name)}")
        self.plot.setTitle(f"{_math(self.name)} by lag and route, under {split.mode}", size="10pt")
        self._write_sums(split)

    @property
    def bars(self) -> dict[str, pg.BarGraphItem]:
        """The plot's bar items by route (what is drawn, read back from the plot)."""
        return {item.opts["route"]: item for item in self.plot.getPlotItem().items
                if isinstance(item, pg.BarGraphItem)}

    @staticmethod
    def columns(split: RouteSplit) -> tuple[np.ndarray, np.ndarray]:
        """Every route's value per bar, (7, bars), and the bars' x: one per lag, then "≥ L" if it holds any."""
        L = split.parts.shape[1]
        if L < split.steps:
            return np.column_stack([split.parts, split.beyond]), np.arange(L + 1)
        return split.parts, np.arange(L)

    @staticmethod
    def _ticks(lags: int, beyond: bool) -> list[tuple[float, str]]:
        step = max(1, int(np.ceil(lags / 20)))
        ticks = [(float(u), str(u)) for u in range(0, lags, step)]
        return ticks + ([(float(lags), f"≥ {lags}")] if beyond else [])

    def _write_sums(self, split: RouteSplit) -> None:
        where = ""
        if self.cell is not None:
            where = f" (layer {self.cell[0]}, unit {self.cell[2]})"
        parts = " + ".join(f"<span style='color:{style.ROUTE_COLOURS[r]}'>■</span> {_math(style.ROUTE_NAMES[r])} "
                           f"{fmt(float(split.by_route[ROUTES.index(r)]))}" for r in split.routes)
        self.showing.setText(f"showing {_math(self.name)}{where}")
        self.sums.setText(f"{_math(self.name)}{where} = <b>{fmt(split.total)}</b> = {parts}")
