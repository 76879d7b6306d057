"""Looks and presentation mode: themes, colour maps, the interface size, and the lecture-hall view
(full screen, only the graph, the inspector's equation and the step bar, large type, high contrast)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from ..style import COLOUR_MAPS, THEMES

if TYPE_CHECKING:
    from .main_window import MainWindow

PRESENT_SCALE = 1.6  # type and node labels in presentation mode, on top of the interface size
MIN_UI_ZOOM, MAX_UI_ZOOM = 0.6, 3.0


class Presenter:
    def __init__(self, window: MainWindow):
        self.window = window
        self.presenting = False
        self.ui_zoom = 1.0
        self._normal_state = None
        self._base_font = QApplication.font()

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
        w.inspector.set_scale(factor, compact=self.presenting)
        w.transport.set_scale(factor)
        w.graph.set_text_scale(factor)

    def zoom_interface(self, factor: float) -> None:
        self.set_ui_zoom(self.ui_zoom * factor)

    def toggle(self) -> None:
        self.set_presentation(not self.presenting)

    def set_presentation(self, on: bool) -> None:
        """Full screen, only the graph, the inspector's equation and the step/phase bar; large type,
        high contrast, thick lines; the keyboard drives everything (F5 or Esc leaves)."""
        w = self.window
        if on == self.presenting:
            return
        self.presenting = on
        if on:
            self._normal_state = (w.saveState(), w.graph.theme_name)
            for name, dock in w.docks.items():
                dock.setVisible(name == "inspector")
            w.docks["inspector"].raise_()
            w.show_chrome(False)
            w.graph.set_look(theme="contrast" if w.graph.theme_name == "light" else None)
            w.showFullScreen()
        else:
            state, theme = self._normal_state
            w.show_chrome(True)
            w.restoreState(state)
            w.graph.set_look(theme=theme)
            w.showNormal()
        w.update_actions()
        self.set_ui_zoom(self.ui_zoom)
        QTimer.singleShot(0, w.graph.fit_readable)

    def fit(self) -> None:
        """F: fit the graph to the window; presenting, jump to the selection at a readable zoom."""
        graph, selection = self.window.graph, self.window.session.view.selection
        if self.presenting and selection is not None:
            graph.fit_readable()
            graph.centerOn(graph.node_item(selection))
        else:
            graph.fit()
