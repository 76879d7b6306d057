"""The weight editor: any parameter, initial state or data array as a heat map, edited in place.

Select a cell by clicking it (or a row, a column or the whole matrix with the scope box); type a
value, step it with ↑/↓ or the wheel, or drag the slider (live, one undo entry per drag); scale or
zero a selection. The layer's variants (activations, forget gate, peepholes) switch here too.
Every change goes through the session as an undoable command. The panel is behind another tab at start:
its heat map is made the first time it is drawn on screen (:class:`.PlotPlace` keeps its place until then).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGraphicsRectItem,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ...core.edits import LAYER_OPTIONS, editable
from ...core.keys import Key
from ...core.model import LSTMLayer
from .. import style
from ..model.session import Session
from ..numbers import fmt, fmt_precise
from ..qt.binding import observe, on_screen, signals_blocked
from ..qt.plot_place import PlotPlace

MAX_NUMBERS = 160  # cells above which numbers are no longer printed in the heat map
VALUE_DIGITS = 6   # significant digits of the value box
SCOPES = ("cell", "row", "column", "matrix")
HEAT_MAP_MIN_HEIGHT = 160  # px


class ValueBox(QLineEdit):
    """Type a number and press Enter; ↑/↓ and the wheel step it. It shows the selected entry to
    ``VALUE_DIGITS`` significant digits; Enter writes only what the user typed (an unedited box never
    writes its rounded text back)."""

    stepped = Signal(int)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.stepped.emit(1 if event.key() == Qt.Key.Key_Up else -1)
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event) -> None:
        self.stepped.emit(1 if event.angleDelta().y() > 0 else -1)


class ClickableImage(pg.ImageItem):
    """The heat map: a click reports the cell under the mouse."""

    def __init__(self, on_click, **kwargs):
        super().__init__(**kwargs)
        self.on_click = on_click

    def mouseClickEvent(self, event) -> None:
        if self.on_click(event.pos()):
            event.accept()


class WeightEditor(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.document = session.document
        self.key: str | None = None
        self.index: tuple[int, ...] = (0, 0)
        self._drawn_state = None
        self._drawn = None
        self._numbers_shape = None
        self._shown_value: tuple | None = None  # (key, index, value.hex()) the value box shows
        self.drag_origin = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.array_box = QComboBox()
        self.array_box.setToolTip("Which parameter, initial state or data array to edit")
        self.array_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.array_box.setMinimumContentsLength(16)  # a long title must not widen the dock
        self.array_box.currentIndexChanged.connect(self._on_array_chosen)
        layout.addWidget(self.array_box)
        self.plot = None  # the heat map, made when first drawn on screen (_make_heat_map)
        self.plot_place = PlotPlace()
        self.plot_place.setMinimumHeight(HEAT_MAP_MIN_HEIGHT)
        layout.addWidget(self.plot_place, 1)
        layout.addLayout(self._entry_form())
        self.layer_group = LayerVariants(self.document)
        layout.addWidget(self.layer_group)
        observe(self, (self.document.structure_changed, self._on_structure_change),
                (self.document.trace_changed, self.refresh),
                (session.view.selection_changed, self._on_selection_change))
        self._on_structure_change()

    def _make_heat_map(self) -> None:
        """The heat map (the array's cells), its colour bar and the selection's frame, in their place."""
        self.plot = self.plot_place.put(_fixed_plot())
        self.image = ClickableImage(self._on_cell_clicked, axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=pg.ColorMap([p for p, _ in style.DIVERGING],
                                                             [c for _, c in style.DIVERGING]), interactive=False,
                                        width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.selection_box = QGraphicsRectItem()
        self.selection_box.setPen(QPen(QColor(style.SELECTION), 0.08))
        self.plot.addItem(self.selection_box)
        self.numbers: list[pg.TextItem] = []

    def _entry_form(self) -> QFormLayout:
        form = QFormLayout()
        self.entry_label = QLabel()
        self.entry_label.setFont(QFont(style.MATH_FAMILY, style.FONT_POINTS + 2))
        form.addRow("entry", self.entry_label)
        self.value_box = ValueBox()
        self.value_box.setToolTip("Type a value and press Enter; ↑/↓ or the wheel step it")
        self.value_box.returnPressed.connect(self._on_typed)
        self.value_box.stepped.connect(self._on_stepped)
        self.step_box = QDoubleSpinBox()
        self.step_box.setDecimals(4)
        self.step_box.setRange(1e-4, 1e3)
        self.step_box.setValue(0.1)
        self.step_box.setToolTip("Step for ↑/↓ and the wheel")
        row = QHBoxLayout()
        row.addWidget(self.value_box, 1)
        row.addWidget(QLabel("step"))
        row.addWidget(self.step_box)
        form.addRow("value", row)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(-1000, 1000)
        self.slider.setToolTip("Drag: the trace follows live; one undo entry per drag (range ±2 around the value)")
        self.slider.sliderPressed.connect(self._on_drag_start)
        self.slider.sliderMoved.connect(self._on_drag)
        self.slider.sliderReleased.connect(self._on_drag_end)
        form.addRow("drag", self.slider)
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {style.KINK};")
        self.message.setWordWrap(True)
        form.addRow("", self.message)
        self.scope_box = QComboBox()
        self.scope_box.addItems(["this cell", "its row", "its column", "whole matrix"])
        self.scope_box.currentIndexChanged.connect(self._show_selection)
        form.addRow("selection", self.scope_box)
        form.addRow(self._scale_row())  # the whole width: the buttons are never squeezed by the labels
        return form

    def _scale_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.factor_box = QDoubleSpinBox()
        self.factor_box.setRange(-100, 100)
        self.factor_box.setDecimals(3)
        self.factor_box.setValue(0.5)
        self.factor_box.setPrefix("× ")
        self.factor_box.setToolTip("The factor Scale multiplies the selection by")
        self.scale_button = QPushButton("Scale")
        self.scale_button.setToolTip("Multiply the selection by the factor (one undo entry)")
        self.scale_button.clicked.connect(lambda: self._scale(self.factor_box.value()))
        self.zero_button = QPushButton("Zero")
        self.zero_button.setToolTip("Set the selection to 0 (one undo entry)")
        self.zero_button.clicked.connect(lambda: self._scale(0.0))
        row.addWidget(self.factor_box, 1)
        row.addWidget(self.scale_button)
        row.addWidget(self.zero_button)
        return row

    # -- what is edited --------------------------------------------------------------------------
    def _on_structure_change(self) -> None:
        keys = list(editable(self.document.scenario))
        current = self.key if self.key in keys else keys[0]
        with signals_blocked(self.array_box):
            self.array_box.clear()
            for key in keys:
                self.array_box.addItem(style.key_title(key), key)
            self.array_box.setCurrentIndex(keys.index(current))
        self.key = None  # the layer may have been replaced: rebuild its variant controls too
        self.show_array(current)

    def _on_array_chosen(self, row: int) -> None:
        if row >= 0:
            self.show_array(self.array_box.itemData(row))

    def _on_selection_change(self) -> None:
        if self.session.view.selected_weight is not None:
            key, index = self.session.view.selected_weight
            self.show_entry(key, index)

    def show_entry(self, key: str, index: tuple[int, ...]) -> None:
        self.show_array(key)
        self.index = tuple(index)
        self.refresh()

    def show_array(self, key: str) -> None:
        if key != self.key:
            self.key = key
            shape = self.array.shape
            self.index = (0,) * len(shape)
            row = self.array_box.findData(key)
            if row != self.array_box.currentIndex():
                with signals_blocked(self.array_box):
                    self.array_box.setCurrentIndex(row)
            self.layer_group.show_layer(Key.parse(key).layer)
        self.refresh()

    @property
    def option_widgets(self) -> dict[str, QWidget]:
        return self.layer_group.widgets

    @property
    def array(self) -> np.ndarray:
        return editable(self.document.scenario)[self.key]

    def matrix(self) -> np.ndarray:
        """The array as rows × columns (vectors are one column)."""
        a = np.asarray(self.array, float)
        return a.reshape(-1, 1) if a.ndim == 1 else a

    # -- drawing -----------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Redraw when shown and when the edited array or the selected entry changed."""
        if self.key is None or not on_screen(self):
            return
        self._draw()
        self._show_value()

    def _show_value(self) -> None:
        """The value box shows the selected entry whenever it or its value changed (↑/↓, undo, an edit
        elsewhere, another document); text the user is typing stays only while the entry stays as it was."""
        value = float(self.array[self.index])
        shown, box = (self.key, self.index, value.hex()), self.value_box
        if box.isModified() and shown == self._shown_value:
            return
        self._shown_value, text = shown, fmt_precise(value, VALUE_DIGITS)
        if text != box.text() or box.isModified():
            box.setText(text)  # also clears isModified

    def _draw(self) -> None:
        if self.plot is None:
            self._make_heat_map()
        m = self.matrix()
        state = (self.key, self.index, self.scope_box.currentIndex())
        if state == self._drawn_state and np.array_equal(m, self._drawn, equal_nan=True):
            return
        self._drawn_state, self._drawn = state, m.copy()
        scale = float(np.abs(m[np.isfinite(m)]).max()) if np.isfinite(m).any() else 1.0
        self.image.setImage(m, autoLevels=False)
        self.image.setRect(QRectF(0, 0, m.shape[1], m.shape[0]))
        self.colorbar.setLevels((-(scale or 1.0), scale or 1.0))
        self._draw_numbers(m)
        self._draw_axes(*m.shape)
        self._show_selection()
        self.entry_label.setText(style.entry_name(self.key, self.index))
        if not self.slider.isSliderDown():
            with signals_blocked(self.slider):
                self.slider.setValue(0)

    def _draw_axes(self, rows: int, cols: int) -> None:
        """Integer labels in the middle of the cells; data rows are steps, counted from 1."""
        item, data = self.plot.getPlotItem(), Key.parse(self.key).is_data
        item.setLabel("left", "step t" if data else "unit (row)")
        item.setLabel("bottom", "column" if cols > 1 else "")
        for axis, n, first in (("bottom", cols, 0), ("left", rows, 1 if data else 0)):
            every = max(1, n // 8)
            item.getAxis(axis).setTicks([[(i + 0.5, str(i + first)) for i in range(0, n, every)], []])
        self.plot.setXRange(0, cols, padding=0.02)
        self.plot.setYRange(0, rows, padding=0.02)

    def _draw_numbers(self, m: np.ndarray) -> None:
        """The numbers in the cells when they fit; the text items are kept while the shape stays."""
        wanted = m.size if m.size <= MAX_NUMBERS else 0
        if len(self.numbers) != wanted or self._numbers_shape != m.shape:
            for item in self.numbers:
                self.plot.removeItem(item)
            self.numbers = []
            for r, c in np.ndindex(m.shape if wanted else (0, 0)):
                text = pg.TextItem("", color=style.TEXT, anchor=(0.5, 0.5))
                text.setPos(c + 0.5, r + 0.5)
                self.plot.addItem(text)
                self.numbers.append(text)
            self._numbers_shape = m.shape
        for item, v in zip(self.numbers, m.ravel(), strict=False):  # no numbers in a large matrix
            item.setText(fmt(float(v), short=True))

    def _selection(self) -> list[tuple[int, ...]]:
        """The indices the scope covers."""
        scope = SCOPES[self.scope_box.currentIndex()]
        shape = self.array.shape
        if scope == "cell":
            return [self.index]
        if scope == "matrix":
            return [tuple(i) for i in np.ndindex(shape)]
        if len(shape) == 1:
            return [(i,) for i in range(shape[0])] if scope == "column" else [self.index]
        r, c = self.index
        return [(r, j) for j in range(shape[1])] if scope == "row" else [(i, c) for i in range(shape[0])]

    def _show_selection(self) -> None:
        if self.plot is None:  # not drawn yet: the first drawing frames the selection
            return
        cells = self._selection()
        rows = [i[0] for i in cells]
        cols = [i[1] if len(i) > 1 else 0 for i in cells]
        self.selection_box.setRect(QRectF(min(cols), min(rows), max(cols) - min(cols) + 1, max(rows) - min(rows) + 1))

    def _on_cell_clicked(self, pos) -> bool:
        m = self.matrix()
        r, c = int(pos.y()), int(pos.x())
        if not (0 <= r < m.shape[0] and 0 <= c < m.shape[1]):
            return False
        self.index = (r, c) if self.array.ndim == 2 else (r,)
        self.message.clear()
        self.refresh()
        return True

    # -- editing -----------------------------------------------------------------------------------
    def _commit(self, value: float) -> None:
        problem = self.document.set_entry(self.key, self.index, value)
        self.message.setText(problem or "")

    def _on_typed(self) -> None:
        if not self.value_box.isModified():  # Enter on the shown (rounded) value: nothing to write
            return
        text = self.value_box.text().strip().replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            self.message.setText(f"“{text}” is not a number; the value is unchanged")
            return
        self._commit(value)
        if not self.message.text():  # set (or the same value): show the entry's value again
            self.value_box.setModified(False)
            self._show_value()
        self.value_box.clearFocus()

    def _on_stepped(self, direction: int) -> None:
        self._commit(float(self.array[self.index]) + direction * self.step_box.value())

    def _on_drag_start(self) -> None:
        self.drag_origin = float(self.array[self.index])
        self.document.begin_drag(self.key)

    def _on_drag(self, position: int) -> None:
        self.document.drag_to(self.key, self.index, self._slider_value(position))

    def _slider_value(self, position: int) -> float:
        return self.drag_origin + 2.0 * position / 1000.0

    def _on_drag_end(self) -> None:
        self.document.end_drag(self.key, self.index)
        self.refresh()

    def _scale(self, factor: float) -> None:
        cells = self._selection()
        values = [float(self.array[i]) * factor for i in cells]
        scope = SCOPES[self.scope_box.currentIndex()]
        k = Key.parse(self.key)
        name = style.entry_name(self.key, self.index) if scope == "cell" else f"{style.symbol(k.name)} ({scope})"
        what = "zeroed" if factor == 0 else f"× {factor:g}"
        problem = self.document.set_entries(self.key, cells, values, text=f"{name} {what}")
        self.message.setText(problem or "")


def _fixed_plot() -> pg.PlotWidget:
    """A plot that neither pans, zooms nor offers a menu; row 0 at the top."""
    plot = pg.PlotWidget(background=style.PLOT_BACKGROUND)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    plot.invertY(True)
    plot.setMinimumHeight(HEAT_MAP_MIN_HEIGHT)
    return plot


class LayerVariants(QGroupBox):
    """The variant switches of the edited array's layer (activations, forget gate, peepholes); each is an
    undoable command."""

    def __init__(self, document, parent=None):
        super().__init__("Layer variant", parent)
        self.document = document
        self.form = QFormLayout(self)
        self.widgets: dict[str, QWidget] = {}

    def show_layer(self, n: int | None) -> None:
        """Rebuild the switches for layer ``n``; hidden for arrays of no layer (the data)."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        if n is None:
            self.hide()
            return
        layer = self.document.scenario.model.layers[n]
        self.setTitle(f"Layer {n} variant ({'LSTM' if isinstance(layer, LSTMLayer) else 'RNN'})")
        for option, choices in LAYER_OPTIONS[layer.type].items():
            if isinstance(choices[0], bool):
                w = QCheckBox()
                w.setChecked(getattr(layer, option))
                w.toggled.connect(lambda on, o=option, n=n: self.document.set_layer_option(n, o, on))
            else:
                w = QComboBox()
                w.addItems(choices)
                w.setCurrentText(getattr(layer, option))
                w.currentTextChanged.connect(lambda text, o=option, n=n: self.document.set_layer_option(n, o, text))
            self.form.addRow(option.replace("_", " "), w)
            self.widgets[option] = w
        self.show()
