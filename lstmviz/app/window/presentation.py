"""Looks and presentation mode: themes, colour maps, the interface size, and the lecture-hall view.

Presenting, the window is full screen with only the step bar, the graph (big nodes, twelve steps
across, following the playhead) and the inspector's equation in a band below it; the view follows the
phase. A presenter's clicker drives it: Page Down/Up step, ↓/↑ change phase, B (or .) blanks the
screen. Esc (or F5) gives back the window exactly as it was: size, panels, theme, view, zoom, scroll.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPalette, QTransform
from PySide6.QtWidgets import QApplication, QWidget

from .. import style
from ..style import COLOUR_MAPS, THEMES
from .docks import LAYOUT_VERSION

if TYPE_CHECKING:
    from .main_window import MainWindow

PRESENT_SCALE = 1.6  # type in presentation mode, on top of the interface size
MIN_UI_ZOOM, MAX_UI_ZOOM = 0.6, 3.0
BAND_SHARE = 0.17    # the equation band's share of the screen's height


@dataclass
class _Normal:
    """The window as it was before presenting."""

    geometry: QByteArray
    state: QByteArray
    window_state: Qt.WindowState
    theme: str
    view: str
    transform: QTransform
    scroll: tuple[int, int]


class Presenter:
    def __init__(self, window: MainWindow):
        self.window = window
        self.presenting = False
        self.ui_zoom = 1.0
        self._normal: _Normal | None = None
        self._base_font = QApplication.font()
        self.blank = QWidget(window)  # B: a black screen over everything
        palette = self.blank.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#000000"))
        self.blank.setPalette(palette)
        self.blank.setAutoFillBackground(True)
        self.blank.hide()

    def set_look(self, theme: str | None = None, colour_map: str | None = None) -> None:
        """A theme (light, contrast, dark) and a colour map (diverging, cividis), remembered."""
        w = self.window
        theme = theme if theme in THEMES else None
        colour_map = colour_map if colour_map in COLOUR_MAPS else None
        if theme:
            w.settings.setValue("theme", theme)
        if colour_map:
            w.settings.setValue("colour_map", colour_map)
        w.graph.set_look(theme=theme, colour_map=colour_map)
        w.check_choice("theme", w.graph.theme_name)
        w.check_choice("colour_map", w.graph.colour_map)
        w.legend.refresh()

    def set_ui_zoom(self, zoom: float) -> None:
        """Scale every font of the window (Ctrl+= / Ctrl+- / Ctrl+0), remembered between sessions."""
        w = self.window
        self.ui_zoom = max(MIN_UI_ZOOM, min(MAX_UI_ZOOM, zoom))
        w.settings.setValue("ui_zoom", self.ui_zoom)
        factor = self.ui_zoom * (PRESENT_SCALE if self.presenting else 1.0)
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * factor)
        w.setFont(font)
        w.inspector.set_scale(self.ui_zoom if self.presenting else factor, compact=self.presenting)
        w.transport.set_scale(factor)
        w.graph.set_text_scale(self.ui_zoom)  # presenting, the graph's own sizes are already the hall's

    def zoom_interface(self, factor: float) -> None:
        self.set_ui_zoom(self.ui_zoom * factor)

    def toggle(self) -> None:
        self.set_presentation(not self.presenting)

    def set_presentation(self, on: bool) -> None:
        if on == self.presenting:
            return
        self.presenting = on
        if on:
            self._present()
        else:
            self._restore()
        self.window.update_actions()

    def _present(self) -> None:
        w, graph = self.window, self.window.graph
        self._normal = _Normal(w.saveGeometry(), w.saveState(LAYOUT_VERSION), w.windowState(), graph.theme_name,
                               w.session.view.view, graph.transform(),
                               (graph.horizontalScrollBar().value(), graph.verticalScrollBar().value()))
        for name, dock in w.docks.items():
            dock.setVisible(name == "inspector")
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        if w.dockWidgetArea(w.docks["inspector"]) != bottom:  # (re-adding it where it is crashes Qt 6.11)
            w.addDockWidget(bottom, w.docks["inspector"])  # the equation band
        self.show_quiz(w.session.quiz.on)
        w.show_chrome(False)
        graph.set_look(theme="contrast" if graph.theme_name == "light" else None)
        graph.set_sizes(style.PRESENTING)
        w.session.follower.set_on(True)
        if w.screen() is not None:  # without a window manager, full screen is only a wish: take the screen
            w.setGeometry(w.screen().geometry())
        w.showFullScreen()
        self.set_ui_zoom(self.ui_zoom)
        QTimer.singleShot(0, self._settle)

    def show_quiz(self, on: bool) -> None:
        """Presenting with the quiz on: its panel beside the equation band, for a guess to be typed."""
        w = self.window
        if not self.presenting:
            return
        quiz = w.docks["quiz"]
        w.quiz_panel.set_compact(on)
        if on:
            w.splitDockWidget(w.docks["inspector"], quiz, Qt.Orientation.Horizontal)
            quiz.show()
            w.resizeDocks([quiz], [int(w.width() * 0.3)], Qt.Orientation.Horizontal)
        else:
            quiz.hide()

    def _settle(self) -> None:
        """Once full screen: the equation band's height, then twelve steps across."""
        w = self.window
        if self.presenting:
            w.resizeDocks([w.docks["inspector"]], [int(w.height() * BAND_SHARE)], Qt.Orientation.Vertical)
            QApplication.processEvents()
            w.graph.fit_readable()

    def _restore(self) -> None:
        w, graph, normal = self.window, self.window.graph, self._normal
        self.blank.hide()
        w.quiz_panel.set_compact(False)
        w.session.follower.set_on(False)
        w.session.view.set_view(normal.view)
        graph.set_sizes(style.NORMAL)
        graph.set_look(theme=normal.theme)
        w.show_chrome(True)
        w.restoreState(normal.state, LAYOUT_VERSION)
        w.setWindowState(normal.window_state)
        w.restoreGeometry(normal.geometry)
        self.set_ui_zoom(self.ui_zoom)
        graph.setTransform(normal.transform)
        graph.zoomChanged.emit(graph.transform().m11())
        QTimer.singleShot(0, lambda: self._restore_scroll(normal.scroll))

    def _restore_scroll(self, scroll: tuple[int, int]) -> None:
        graph = self.window.graph
        graph.horizontalScrollBar().setValue(scroll[0])
        graph.verticalScrollBar().setValue(scroll[1])

    def normal_layout(self) -> tuple[QByteArray, QByteArray]:
        """The window's geometry and panels as they are — or, presenting, as they will be after Esc."""
        w = self.window
        if self.presenting and self._normal is not None:
            return self._normal.geometry, self._normal.state
        return w.saveGeometry(), w.saveState(LAYOUT_VERSION)

    def toggle_blank(self) -> None:
        """B: black out the screen (the class looks at the lecturer), B again to come back."""
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.blank.setGeometry(self.window.rect())
            self.blank.raise_()
            self.blank.show()

    def fit(self) -> None:
        """F: fit the graph to the window; presenting, jump to the selection at a readable zoom."""
        graph, selection = self.window.graph, self.window.session.view.selection
        if self.presenting and selection is not None:
            graph.fit_readable()
            graph.centerOn(graph.node_item(selection))
        else:
            graph.fit()
