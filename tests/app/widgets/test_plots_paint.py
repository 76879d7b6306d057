"""The plots' own paint paths (markers blitted from their atlas in one call, curves without pyqtgraph's checks)
draw what pyqtgraph's paint draws, where the engine's numbers put it, and exports still get pyqtgraph's."""
import re

import numpy as np
import pyqtgraph as pg
from helpers import lstm, random_scenario
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from lstmviz.app import style
from lstmviz.app.model.quantities import NodeRef
from lstmviz.io.scenario_writer import save_scenario


def picture(plots) -> np.ndarray:
    """The panel as it is drawn on screen, as (height, width) ARGB words."""
    image = plots.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()


def edited(open_window, spec="calculator-lstm"):
    w = open_window(spec)
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.session.document.set_entry("l0/b_i", (0,), 0.9)  # the markers moved in place, the curves set anew
    QApplication.processEvents()
    return w


def test_the_markers_blit_is_pyqtgraphs_picture(open_window):
    w = edited(open_window)
    fast = picture(w.plots)
    scatters = [curve.item.scatter for curve in (w.plots.value_curve, w.plots.delta_curve, w.plots.eps_curve)]
    for scatter in scatters:  # a composition mode (the usual one) sends each back to pyqtgraph's own paint
        scatter.opts["compositionMode"] = QPainter.CompositionMode.CompositionMode_SourceOver
    slow = picture(w.plots)
    assert np.array_equal(fast, slow)
    painted = []
    for scatter in scatters:  # and without the markers the picture differs: they were drawn
        scatter.setVisible(False)
        painted.append(not np.array_equal(picture(w.plots), slow))
        scatter.setVisible(True)
    assert painted[:2] == [True, True]


def test_the_curves_own_paint_is_pyqtgraphs_picture(open_window, tmp_path):
    save_scenario(random_scenario([lstm(3, 4)], T=12), tmp_path / "lstm.json")
    w = open_window(str(tmp_path / "lstm.json"))  # the top h: its value, δ and (dashed) ε, none all zero
    w.session.document.set_entry("l0/b_i", (0,), 0.9)  # and the dashed ones from before the edit
    QApplication.processEvents()
    curves = [w.plots.value_curve, w.plots.delta_curve, w.plots.eps_curve, w.plots.value_pinned]
    assert all(np.ptp(curve.values) > 0 for curve in curves)
    fast = picture(w.plots)
    for curve in curves:  # pyqtgraph's paint, as for an export without antialiasing
        curve.item._exportOpts = {"antialias": False}
    assert np.array_equal(picture(w.plots), fast)


def test_each_marker_sits_at_the_engines_value_after_an_edit(open_window):
    w = edited(open_window)
    scatter = w.plots.value_curve.item.scatter
    c = w.session.document.trace["l0/c"][:, 0]
    image = w.plots.grab().toImage()
    ratio = image.devicePixelRatio()
    for t, value in enumerate(c, start=1):
        at = w.plots.mapFromScene(scatter.mapToScene(QPointF(t, value)))
        colour = QColor(image.pixel(round(at.x() * ratio), round(at.y() * ratio)))
        expected = style.SELECTION if t == 4 else style.PLOT_VALUE  # the cursor over the selected step's
        assert colour.name() == QColor(expected).name(), t  # the marker's fill at its centre


def test_the_svg_export_has_the_curve_through_the_engines_values_and_a_marker_at_each(open_window, tmp_path):
    w = edited(open_window)
    assert w.files.export_to("plots", tmp_path / "plots.svg")
    svg = (tmp_path / "plots.svg").read_text()
    c = w.session.document.trace["l0/c"][:, 0]
    group = re.search(rf'<g [^>]*stroke="{QColor(style.PLOT_VALUE).name()}"[^>]*>(.*?)</g>', svg, re.S).group(1)
    points = [[float(v) for v in xy.split(",")] for line in re.findall(r'points="([^"]*)"', group)
              for xy in line.split()]  # one polyline a segment, in the plot's (t, value) coordinates
    assert np.allclose(points, [(t, c[t - 1]) for t in range(1, len(c)) for t in (t, t + 1)], atol=1e-4)
    markers = re.findall(r'<image x="[^"]+" y="[^"]+" width="10" height="10"', svg)  # 9 px and a rim
    assert len(markers) == 2 * len(c)  # the value and δ markers


def test_a_click_on_a_delta_marker_selects_that_step(open_window, qtbot):
    w = edited(open_window)
    scatter = w.plots.delta_curve.item.scatter
    xs, ys = scatter.getData()
    at = w.plots.mapFromScene(scatter.mapToScene(QPointF(xs[2], ys[2])))
    qtbot.mouseClick(w.plots.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert w.session.view.selection == NodeRef(0, "c", 3, 0)


def test_the_kept_bounding_rects_and_pixel_sizes_follow_edits_new_axis_ranges_and_a_resize(open_window):
    w = edited(open_window)
    bars, curve, scatter = w.plots.loss_bars, w.plots.value_curve.item, w.plots.value_curve.item.scatter
    axes = [w.plots.value_plot.plot.getAxis(side) for side in ("left", "bottom")]
    doc = w.session.document
    rects, axis_rects = [], []
    for change in (lambda: doc.set_entry("l0/b_i", (0,), 0.2), lambda: w.plots.loss_plot.plot.setYRange(0, 50),
                   lambda: w.plots.value_plot.plot.setYRange(-1, 9), lambda: w.resize(1300, 900)):
        change()
        QApplication.processEvents()
        for item in (bars, scatter, curve):  # the kept pixel size is the one pyqtgraph works out now
            assert [(v.x(), v.y()) for v in item.pixelVectors()] == [
                (v.x(), v.y()) for v in pg.GraphicsItem.pixelVectors(item)]
        assert bars.boundingRect() == pg.BarGraphItem.boundingRect(bars)  # what pyqtgraph works out now
        assert scatter.boundingRect() == pg.ScatterPlotItem.boundingRect(scatter)
        assert curve.boundingRect() == pg.PlotCurveItem.boundingRect(curve)
        for axis in axes:
            assert axis.boundingRect() == pg.AxisItem.boundingRect(axis)
        rects.append(tuple(r.getRect() for r in (bars.boundingRect(), scatter.boundingRect())))
        axis_rects.append(tuple(axis.boundingRect().getRect() for axis in axes))
    assert len(set(rects)) == len(rects)  # each change moved one or both
    assert axis_rects[-1] != axis_rects[-2]  # the resize moved the axes


def test_a_new_marker_look_is_blitted_at_once(open_window):
    w = edited(open_window)
    scatter = w.plots.value_curve.item.scatter
    w.plots.grab()  # blitted once with the old look
    scatter.setBrush("#00ff00")  # pyqtgraph draws the new picture into its atlas, somewhere else
    at = w.plots.mapFromScene(scatter.mapToScene(QPointF(2, w.session.document.trace["l0/c"][1, 0])))
    image = w.plots.grab().toImage()
    ratio = image.devicePixelRatio()
    assert QColor(image.pixel(round(at.x() * ratio), round(at.y() * ratio))).name() == "#00ff00"


def test_the_curves_and_markers_kept_bounds_are_their_points_extent(open_window):
    w = edited(open_window)
    doc, playback = w.session.document, w.session.playback
    curves = (w.plots.value_curve, w.plots.delta_curve)
    for change in (lambda: doc.set_entry("l0/b_i", (0,), 0.3), playback.go_start, playback.step_forward,
                   playback.step_forward, playback.go_end):
        change()
        QApplication.processEvents()
        for curve in curves:
            t, y = curve.item.getData()
            for ax, d in enumerate((t, y)):
                extent = (d.min(), d.max()) if len(d) else (None, None)
                assert curve.item.dataBounds(ax) == extent == pg.PlotCurveItem.dataBounds(curve.item, ax)
                assert curve.item.scatter.dataBounds(ax) == extent
    assert len(w.plots.value_curve.item.getData()[0]) == 8


def test_what_is_on_screen_after_edits_and_steps_is_a_fresh_picture_of_the_panel(open_window, qtbot, tmp_path):
    save_scenario(random_scenario([lstm(3, 4)], T=12), tmp_path / "lstm.json")
    w = open_window(str(tmp_path / "lstm.json"))
    viewport = w.plots.viewport()

    def on_screen() -> np.ndarray:  # only the parts Qt repainted since the last picture are new
        corner = viewport.mapTo(w, viewport.rect().topLeft())
        shot = w.screen().grabWindow(w.winId(), corner.x(), corner.y(), viewport.width(), viewport.height())
        image = shot.toImage().convertToFormat(QImage.Format.Format_RGB32)
        return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()

    def fresh() -> np.ndarray:
        image = viewport.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()
    doc, playback = w.session.document, w.session.playback
    changes = [lambda v=v: doc.set_entry("l0/b_i", (0,), v) for v in (0.5, 1.5, 0.7)]
    changes += [lambda: w.session.view.select(NodeRef(0, "h", 4, 0)), playback.go_start, playback.step_forward,
                playback.step_forward, lambda: doc.set_entry("l0/b_i", (0,), 0.2), playback.go_end]
    before = on_screen()
    for change in changes:
        change()  # (a step may widen an axis: the layout settles over a few turns of the event loop)
        qtbot.waitUntil(lambda: np.array_equal(on_screen(), fresh()), timeout=2000)  # nothing left behind
        now = on_screen()
        assert not np.array_equal(now, before)
        before = now
