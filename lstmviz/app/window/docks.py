"""The window's panels around the graph, declared once: which panel, where, and what it does when its
tab comes up (panels behind another tab skip their refreshes and catch up then). The heavy panels behind
another tab at start (plots of their own, computations) are made only when their tab first comes up, or
when the window's attribute is first read (:func:`made_panel`): the window opens sooner."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabWidget, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

RIGHT, BOTTOM = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea


@dataclass(frozen=True)
class DockSpec:
    name: str                  # window.docks[name]; also the object name the saved layout uses
    title: str
    panel: str                 # the window's attribute holding the panel
    area: Qt.DockWidgetArea
    scroll: bool = False       # a tall panel scrolls rather than forcing the window to grow
    on_show: str | None = None  # the panel's method to call when its tab comes up
    made_on_show: str | None = None  # "module.Class" in app/widgets: made as Class(session, window) when first shown


LAYOUT_VERSION = 2  # of the saved panel layout: a layout saved for other panels is not restored

# What you work with beside the graph on the right; what you look at over time below it — so that each
# tab bar shows every title even on a 1280×720 screen.
DOCKS = (
    DockSpec("inspector", "Inspector", "inspector", RIGHT, on_show="refresh_if_stale"),
    DockSpec("quiz", "Quiz", "quiz_panel", RIGHT, scroll=True),
    DockSpec("weights", "Weights", "weights", RIGHT, scroll=True, on_show="refresh"),
    DockSpec("watches", "Watches", "watches", RIGHT, scroll=True, on_show="refresh_if_stale"),
    DockSpec("train", "Train", "train_panel", RIGHT, scroll=True),
    DockSpec("analyses", "Analyses", "analysis", RIGHT, on_show="refresh_if_stale"),
    DockSpec("plots", "Plots", "plots", BOTTOM, on_show="refresh_if_stale"),
    DockSpec("compare", "Compare", "compare", BOTTOM, scroll=True, on_show="refresh_summary"),
    DockSpec("history", "History", "history_view", BOTTOM),
    DockSpec("yours", "My arrays", "yours_panel", BOTTOM, on_show="refresh_if_stale",  # Check my arrays
             made_on_show="yours_panel.YoursPanel"),
    DockSpec("cost_lag", "Cost × lag", "cost_lag", BOTTOM, on_show="refresh_if_stale",  # seed 003's picture
             made_on_show="cost_lag_panel.CostLagPanel"),
    DockSpec("rtrl", "RTRL", "sensitivity", BOTTOM, on_show="refresh_if_stale",  # dS/dw step by step
             made_on_show="sensitivity_panel.SensitivityPanel"),
    DockSpec("routes", "Routes", "routes", BOTTOM, on_show="refresh_if_stale",  # the two highways
             made_on_show="routes_panel.RoutesPanel"),
    DockSpec("units", "Units", "units", BOTTOM, on_show="refresh_if_stale"),  # units × time, the brush
)


def _refresh_when_shown(dock: QDockWidget, refresh) -> None:
    dock.visibilityChanged.connect(lambda on: on and refresh())


def build_docks(window: MainWindow, specs: tuple[DockSpec, ...] = DOCKS) -> dict[str, QDockWidget]:
    """One dock per spec; those of an area share a tab bar (down the right edge, along the bottom), the
    first of each in front. A panel made on show has an empty place holder until then."""
    docks = {}
    first: dict[Qt.DockWidgetArea, QDockWidget] = {}
    window.setTabPosition(RIGHT, QTabWidget.TabPosition.East)
    window.setCorner(Qt.Corner.BottomRightCorner, RIGHT)  # the right-hand panels run down to the status bar
    for spec in specs:
        dock = QDockWidget(spec.title, window)
        dock.setObjectName(spec.name)
        docks[spec.name] = dock
        if spec.made_on_show:
            dock.setWidget(QWidget())
            dock.visibilityChanged.connect(lambda on, s=spec: on and made_panel(window, s))
        else:
            _place(spec, docks[spec.name], getattr(window, spec.panel))
        window.addDockWidget(spec.area, dock)
        if spec.area in first:  # tabbed at once: docks side by side even for a moment add up their
            window.tabifyDockWidget(first[spec.area], dock)  # minimum widths and widen the window for good
        first.setdefault(spec.area, dock)
    for dock in first.values():
        dock.raise_()
    return docks


def made_panel(window: MainWindow, spec: DockSpec) -> QWidget:
    """The panel of a dock made on show: made now if it is not yet (its module imported then too)."""
    panel = window.__dict__.get(spec.panel)
    if panel is None:
        module, name = spec.made_on_show.rsplit(".", 1)
        panel = getattr(importlib.import_module(f"..widgets.{module}", __package__), name)(window.session, window)
        setattr(window, spec.panel, panel)
        _place(spec, window.docks[spec.name], panel)
    return panel


def _place(spec: DockSpec, dock: QDockWidget, panel: QWidget) -> None:
    """The panel in its dock (in a scroll area for a tall one), refreshed when its tab comes up."""
    holder = dock.widget()
    if spec.scroll:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(panel)
        dock.setWidget(area)
    else:
        dock.setWidget(panel)
    if holder is not None:
        holder.deleteLater()
    if spec.on_show:
        _refresh_when_shown(dock, getattr(panel, spec.on_show))
