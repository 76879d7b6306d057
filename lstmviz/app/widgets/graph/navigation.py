"""Where the graph's view looks: fitting it, stretching the heat strip's rows down the viewport, and
following the playhead with a smooth scroll."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEasingCurve, Qt, QVariantAnimation
from PySide6.QtGui import QTransform

from ....core.phases import Phase

if TYPE_CHECKING:
    from .view import GraphView

FOLLOW_MS = 280       # the scroll that follows the playhead
PRESENT_STEPS = 12    # the lecture hall's layout fits this many steps across
MAX_FIT_ZOOM = 3.0
HALL_NUMBER_PX = 28   # node numbers readable from the back of a lecture hall


class Navigator:
    def __init__(self, view: GraphView):
        self.view = view
        self.scroll = QVariantAnimation(view)
        self.scroll.setDuration(FOLLOW_MS)
        self.scroll.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.scroll.valueChanged.connect(lambda x: view.horizontalScrollBar().setValue(round(x)))

    def fit(self) -> None:
        """All of the graph in view (a heat strip when that makes the numbers too small to read)."""
        v = self.view
        v.fitInView(v.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        v.zoomChanged.emit(v.transform().m11())

    def fill_height(self) -> None:
        """Far out, the heat strip's rows stretched down to fill the viewport (the vertical scale
        ``max(zoom, viewport height / graph height)``); with nodes on screen both scales are the zoom, so
        nodes keep their shape. The horizontal scale, the zoom, is left as it is."""
        v = self.view
        zoom, now = v.transform().m11(), v.transform().m22()
        down = max(zoom, (v.viewport().height() - 1) / v.layout.height) if v.far_out() else zoom
        if abs(down - now) > 1e-9 * now:
            v.setTransform(QTransform.fromScale(zoom, down))

    def fit_readable(self) -> None:
        """Fit, but never below the zoom at which node numbers stay legible, then show the selection or
        the current step. With the lecture hall's sizes: twelve steps across and every lane. The graph's
        items are made once, where the view ends up, not at each place the zoom and the scrolls pass."""
        blocks = self.view.blocks
        active, blocks.active = blocks.active, False
        try:
            self._fit_readable()
        finally:
            blocks.active = active
            blocks.update()

    def _fit_readable(self) -> None:
        v = self.view
        self.scroll.stop()  # a scroll under way would move the view after this
        if v.sizes.split:
            self.fit_steps(PRESENT_STEPS)
        else:
            self.fit()
            if v.transform().m11() < v.min_zoom:
                v.zoom(v.min_zoom / v.transform().m11())
        selection = v.session.view.selection
        if selection is not None and not v.sizes.split:
            v.centerOn(v.node_item(selection))
            return
        v.verticalScrollBar().setValue(v.verticalScrollBar().minimum())
        v.horizontalScrollBar().setValue(v.horizontalScrollBar().minimum())
        self.follow(animate=False)

    def fit_steps(self, count: int) -> None:
        """Zoom so that ``count`` steps fit across and every lane fits down — but a tall model (stacked
        layers) keeps its numbers ``HALL_NUMBER_PX`` tall and scrolls down instead."""
        v = self.view
        left, right = v.layout.window(1, count)
        across = v.viewport().width() / (right - left)
        down = max(v.viewport().height() / v.layout.height, HALL_NUMBER_PX / v.sizes.number_px)
        v.zoom(min(across, down, MAX_FIT_ZOOM) / v.transform().m11())

    def follow(self, animate: bool = True) -> None:
        """Keep the current step and its neighbours in view: when they leave it, scroll (smoothly) to
        centre the current step."""
        v = self.view
        playhead = v.session.playback.playhead
        t = playhead.current_t or (1 if playhead.phase == Phase.FORWARD else None)
        if t is None:
            return
        bar, zoom = v.horizontalScrollBar(), v.transform().m11()
        left, right = v.layout.window(t, 3)
        shown_left, shown_right = v.mapToScene(0, 0).x(), v.mapToScene(v.viewport().width(), 0).x()
        if left >= shown_left - 1 and right <= shown_right + 1:
            return
        target = bar.value() + (v.layout.step_centre(t) - (shown_left + shown_right) / 2) * zoom
        target = max(bar.minimum(), min(bar.maximum(), target))
        self.scroll.stop()
        if animate and v.isVisible():
            self.scroll.setStartValue(float(bar.value()))
            self.scroll.setEndValue(float(target))
            self.scroll.start()
        else:
            bar.setValue(round(target))
