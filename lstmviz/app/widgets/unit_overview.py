"""The Units panel: finding the units that matter, as LSTMVis does for trained models.

A heat map of one quantity of one layer, a row per unit and a column per step t = 1 … T (one image, however
large), its rows sorted by unit number, mean, max |value|, variance over t or the brush score. The brush —
a time range dragged over the map or typed ("t = 10…20") and a threshold with a side (above/below, on the
value or on |value|) — keeps the units that stay on that side over the whole range: they are marked beside
their rows and listed. Clicking a row or a listed unit makes it the unit the graph draws. The numbers and
the selection come from :mod:`lstmviz.app.model.unit_overview`; the panel only draws them.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .. import style
from ..model.session import Session
from ..model.unit_overview import (
    ORDERS,
    Brush,
    colour_levels,
    describe_cell,
    is_gate,
    layer_variables,
    parse_range,
    range_text,
    row_order,
    unit_values,
    variable_label,
)
from ..numbers import fmt_exact
from ..qt.binding import LazyPanel, observe, signals_blocked

STRIDES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # rows between two unit numbers on the axis
LABEL_ROOM_PX = 15  # at least this much height per unit number on the axis
BRUSH_FILL = (120, 120, 120, 28)  # the brushed time range over the map, translucent grey


def _colour_map(stops) -> pg.ColorMap:
    return pg.ColorMap([p for p, _ in stops], [c for _, c in stops])


class UnitAxis(pg.AxisItem):
    """The left axis: each row is named by the unit it shows, in the current order; as many as fit."""

    def __init__(self):
        super().__init__("left")
        self.order = np.zeros(0, dtype=int)
        self.setWidth(40)

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((minVal, maxVal))  # an inverted view gives them top first
        room = max(1, int(size / LABEL_ROOM_PX))
        stride = next((s for s in STRIDES if max(hi - lo, 1.0) / s <= room), STRIDES[-1])
        first = math.ceil(max(lo, 0) / stride) * stride
        return [(float(stride), [float(r) for r in range(first, int(min(hi, len(self.order) - 1)) + 1, stride)])]

    def tickStrings(self, values, scale, spacing):
        return [str(self.order[int(v)]) if 0 <= int(v) < len(self.order) else "" for v in values]


class UnitOverviewPanel(LazyPanel, QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.document = session, session.document
        self.values: np.ndarray | None = None  # (T, H) of the shown quantity
        self.order = np.zeros(0, dtype=int)   # units top to bottom
        self.brush: Brush | None = None
        self.kept = np.zeros(0, dtype=bool)    # (H,) the units the brush keeps
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self._controls())
        body = QHBoxLayout()
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(style.PLOT_BACKGROUND)
        body.addWidget(self.canvas, 1)
        body.addLayout(self._kept_list())
        layout.addLayout(body, 1)
        self.heat_plot = None  # the plots are made the first time the panel is on screen (:meth:`_update`)
        doc, view = self.document, session.view
        observe(self, (doc.trace_changed, self.refresh_soon), (doc.structure_changed, self._on_structure),
                (view.view_changed, self._mark_chosen))

    # -- construction ------------------------------------------------------------------------------------
    def _controls(self) -> QVBoxLayout:
        """Two short rows (what is shown; the brush), so that the panel never widens a small window."""
        self.layer_combo = QComboBox()
        self.layer_combo.setToolTip("The layer whose units are shown (0 = bottom)")
        self.var_combo = QComboBox()
        self.var_combo.setToolTip("The quantity of every unit over time: a value, a pre-activation, a δ or ε")
        self.sort_combo = QComboBox()
        for key, name in ORDERS.items():
            self.sort_combo.addItem(name, key)
        self.sort_combo.setToolTip("The rows' order; all but the unit number put the largest first")
        self.range_edit = QLineEdit()
        self.range_edit.setToolTip("The brush's time range, e.g. t = 10…20 (or drag the shaded band over the map)")
        self.range_edit.setMaximumWidth(110)
        self.side_combo = QComboBox()
        self.side_combo.addItems(["above", "below"])
        self.abs_box = QCheckBox("|value|")
        self.abs_box.setToolTip("Compare |value| with the threshold rather than the signed value")
        self.threshold_edit = QLineEdit("0.5")
        self.threshold_edit.setToolTip("The threshold the units must stay above (or below) over the whole range")
        self.threshold_edit.setMaximumWidth(60)
        self._populate_layers()
        self.layer_combo.currentIndexChanged.connect(self._on_layer)
        for combo in (self.var_combo, self.sort_combo, self.side_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.abs_box.toggled.connect(self.refresh)
        for edit in (self.range_edit, self.threshold_edit):
            edit.editingFinished.connect(self.refresh)
        self.info = _elastic(QLabel("Hover a cell for its value; click a row to draw that unit in the graph"))
        shown, brush = QHBoxLayout(), QHBoxLayout()  # the hover text fills the first row's free space
        for w in (self.layer_combo, self.var_combo, QLabel("sort"), self.sort_combo):
            shown.addWidget(w)
        shown.addWidget(self.info, 1)
        for w in (QLabel("keep units over"), self.range_edit, self.side_combo, self.threshold_edit, self.abs_box):
            brush.addWidget(w)
        brush.addStretch(1)
        rows = QVBoxLayout()
        rows.addLayout(shown)
        rows.addLayout(brush)
        return rows

    def _kept_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.count_label.setMaximumWidth(150)
        self.kept_list = QListWidget()
        self.kept_list.setMaximumWidth(150)
        self.kept_list.setToolTip("The units the brush keeps: click one to draw it in the graph")
        self.kept_list.itemClicked.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))
        column.addWidget(self.count_label)
        column.addWidget(self.kept_list, 1)
        return column

    def _plots(self) -> None:
        c = self.canvas
        self.axis = UnitAxis()
        self.heat_plot = c.addPlot(row=0, col=0, axisItems={"left": self.axis})
        self.image = pg.ImageItem()
        self.heat_plot.addItem(self.image)
        self.heat_plot.invertY(True)  # the first row at the top
        self.heat_plot.setLabel("left", "unit")
        self.heat_plot.setLabel("bottom", "t")
        self.region = pg.LinearRegionItem(brush=pg.mkBrush(*BRUSH_FILL), pen=pg.mkPen(style.TEXT, width=2))
        self.region.setZValue(10)
        self.region.sigRegionChangeFinished.connect(self._on_region)
        self.heat_plot.addItem(self.region, ignoreBounds=True)
        self.chosen_row = QGraphicsRectItem()  # a frame around the row of the unit the graph draws
        pen = pg.mkPen(style.SELECTION, width=2)
        pen.setCosmetic(True)
        self.chosen_row.setPen(pen)
        self.chosen_row.setZValue(20)
        self.heat_plot.addItem(self.chosen_row, ignoreBounds=True)
        self.marks_plot = c.addPlot(row=0, col=1)  # a dark mark beside each row the brush keeps, a row tall
        self.marks_plot.setYLink(self.heat_plot)
        self.marks_plot.invertY(True)
        self.marks_plot.setFixedWidth(14)
        self.marks_plot.setXRange(0, 1, padding=0)
        for side in ("left", "bottom"):
            self.marks_plot.hideAxis(side)
        self.marks = pg.ImageItem(lut=np.array([_rgb(style.PLOT_BACKGROUND), _rgb(style.TEXT)], dtype=np.ubyte))
        self.marks_plot.addItem(self.marks)
        self.colorbar = pg.ColorBarItem(colorMap=_colour_map(style.DIVERGING), interactive=False)
        self.colorbar.setImageItem(self.image)
        self.colorbar.axis.setWidth(56)
        c.addItem(self.colorbar, row=0, col=2)
        for plot in (self.heat_plot, self.marks_plot):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
        c.scene().sigMouseMoved.connect(self._on_hover)
        c.scene().sigMouseClicked.connect(self._on_click)

    # -- the layer and quantity choices ----------------------------------------------------------------
    def _populate_layers(self) -> None:
        layers = self.document.scenario.model.layers
        keep = self.layer_combo.currentIndex()
        with signals_blocked(self.layer_combo):
            self.layer_combo.clear()
            self.layer_combo.addItems([f"layer {n}" for n in range(len(layers))])
            self.layer_combo.setCurrentIndex(keep if 0 <= keep < len(layers) else len(layers) - 1)
        self._populate_variables()

    def _populate_variables(self) -> None:
        keep = self.var_combo.currentData() or "c"
        variables = layer_variables(self.document.trace, self.layer)
        with signals_blocked(self.var_combo):
            self.var_combo.clear()
            for var in variables:
                self.var_combo.addItem(variable_label(var), var)
            self.var_combo.setCurrentIndex(variables.index(keep) if keep in variables else 0)

    def _on_structure(self) -> None:
        self._populate_layers()
        self.refresh_soon()

    def _on_layer(self) -> None:
        self._populate_variables()
        self.refresh()

    @property
    def layer(self) -> int:
        return max(self.layer_combo.currentIndex(), 0)

    @property
    def var(self) -> str:
        return self.var_combo.currentData()

    # -- computing --------------------------------------------------------------------------------------
    def _update(self) -> None:
        if self.heat_plot is None:  # a tenth of a second that a window whose Units tab stays behind never spends
            self._plots()
        self._populate_variables()  # a new trace may hold other keys (a layer variant)
        trace = self.document.trace
        self.values = unit_values(trace, self.layer, self.var)
        try:
            self.brush = self._read_brush(trace.steps)
            self.order = row_order(self.values, self.sort_combo.currentData(), self.brush)
        except ValueError as e:
            self.brush = None
            self.order = row_order(self.values, "unit")
            _say(self.info, str(e))
        self.kept = self.brush.selects(self.values) if self.brush else np.zeros(self.values.shape[1], dtype=bool)
        self._draw()

    def _read_brush(self, steps: int) -> Brush:
        text = self.range_edit.text().strip()
        first, last = parse_range(text, steps) if text else (1, steps)
        try:
            threshold = float(self.threshold_edit.text().replace("−", "-"))
        except ValueError:
            raise ValueError(f"Units ▸ threshold: {self.threshold_edit.text()!r} is not a number") from None
        if not math.isfinite(threshold):
            raise ValueError(f"Units ▸ threshold: {self.threshold_edit.text()!r} is not a finite number")
        return Brush(first, last, threshold, self.side_combo.currentIndex() == 0, self.abs_box.isChecked())

    # -- drawing ----------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return variable_label(self.var)

    def _draw(self) -> None:
        values, order = self.values, self.order
        T, H = values.shape
        self.axis.order = order
        self.image.setImage(values[:, order], autoLevels=False)  # x = t, y = row
        self.image.setRect(0.5, -0.5, T, H)
        self.colorbar.setColorMap(_colour_map(style.CIVIDIS if is_gate(self.var) else style.DIVERGING))
        self.colorbar.setLevels(colour_levels(values, self.var))
        self.heat_plot.setLimits(xMin=0.5, xMax=T + 0.5, yMin=-0.5, yMax=H - 0.5)
        self.heat_plot.setRange(xRange=(0.5, T + 0.5), yRange=(-0.5, H - 0.5), padding=0)
        self.axis.picture = None  # the tick labels follow the order even when the range did not change
        self.axis.update()
        sort = self.sort_combo.currentText()
        self.heat_plot.setTitle(f"{self.name}[t] of layer {self.layer}'s {H} units, sorted by {sort}", size="9pt")
        self._draw_brush(T, H)
        self._mark_chosen()

    def _draw_brush(self, T: int, H: int) -> None:
        brush = self.brush
        self.region.setVisible(brush is not None)
        with signals_blocked(self.region):
            self.region.setBounds((0.5, T + 0.5))
            if brush is not None:
                self.region.setRegion((brush.first - 0.5, brush.last + 0.5))
        if brush is not None:
            self.range_edit.setText(range_text(brush.first, brush.last))
            self.threshold_edit.setText(fmt_exact(brush.threshold))
        self.marks.setImage(self.kept[self.order][None, :].astype(float), levels=(0, 1))  # x: one column, y = row
        self.marks.setRect(0.15, -0.5, 0.7, H)
        units = np.flatnonzero(self.kept)[np.argsort(np.argsort(self.order)[self.kept], kind="stable")]
        self.kept_list.clear()
        for unit in units:
            item = QListWidgetItem(f"unit {unit}")
            item.setData(Qt.ItemDataRole.UserRole, int(unit))
            self.kept_list.addItem(item)
        what = brush.describe(self.name) if brush else "no brush"
        _say(self.count_label, f"<b>{len(units)}</b> of {H} {what}")

    def _mark_chosen(self) -> None:
        """Frame the row of the unit the graph draws for this layer."""
        if self.values is None or self.layer >= len(self.document.scenario.model.layers):
            return
        unit = self.session.view.drawn_unit(self.layer)
        rows = np.flatnonzero(self.order == unit)
        self.chosen_row.setVisible(rows.size > 0)
        if rows.size:
            self.chosen_row.setRect(0.5, rows[0] - 0.5, self.values.shape[0], 1.0)

    # -- the mouse -----------------------------------------------------------------------------------------
    def cell_at(self, scene_pos) -> tuple[int, int] | None:
        """(unit, t) under a scene position on the map, or None."""
        if self.values is None or not self.heat_plot.getViewBox().sceneBoundingRect().contains(scene_pos):
            return None
        p = self.heat_plot.getViewBox().mapSceneToView(scene_pos)
        t, row = round(p.x()), round(p.y())
        T, H = self.values.shape
        if 1 <= t <= T and 0 <= row < H:
            return int(self.order[row]), t
        return None

    def _on_hover(self, scene_pos) -> None:
        cell = self.cell_at(scene_pos)
        if cell is not None:
            unit, t = cell
            _say(self.info, describe_cell(self.name, unit, t, self.values[t - 1, unit]))

    def _on_click(self, event) -> None:
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            self.choose(cell[0])

    def _on_region(self) -> None:
        """The band was dragged: its steps become the brush's range."""
        lo, hi = self.region.getRegion()
        T = self.values.shape[0] if self.values is not None else self.document.trace.steps
        first = min(max(round(lo + 0.5), 1), T)
        self.range_edit.setText(range_text(first, min(max(round(hi - 0.5), first), T)))
        self.refresh()

    def show_units(self, layer: int, var: str, order: str = "unit", brush: Brush | None = None) -> None:
        """Set every control at once (a layer's quantity, the rows' order, the brush) and redraw, as if typed."""
        with signals_blocked(self.layer_combo, self.var_combo, self.sort_combo, self.side_combo, self.abs_box):
            self.layer_combo.setCurrentIndex(layer)
            self._populate_variables()
            self.var_combo.setCurrentIndex(self.var_combo.findData(var))
            self.sort_combo.setCurrentIndex(self.sort_combo.findData(order))
            if brush is not None:
                self.range_edit.setText(range_text(brush.first, brush.last))
                self.threshold_edit.setText(fmt_exact(brush.threshold))
                self.side_combo.setCurrentIndex(0 if brush.above else 1)
                self.abs_box.setChecked(brush.absolute)
        self.refresh()

    def choose(self, unit: int) -> None:
        """Draw this unit's lanes in the graph (through the view state, like the view bar's unit box)."""
        self.session.view.set_unit(int(unit))


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#1a1a1a`` → (26, 26, 26)."""
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


def _elastic(label: QLabel) -> QLabel:
    """A line of text that never widens the panel; its tooltip holds all of it."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _say(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setToolTip(text)

