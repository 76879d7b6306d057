"""Where the graph's view looks and what it shows there: the level of detail for the zoom, fitting,
stretching the heat strip's rows down the viewport, and following the playhead with a smooth scroll.

Three levels, by the size of things on screen (NORMAL sizes: nodes 62 × 30, numbers 13 px at zoom 1):

* **readable** (numbers at least ``style.MIN_NUMBER_PX`` = 8.5 px, zoom ≥ 0.65): nodes with their
  numbers, edges; the small ε under a δ only where it is ``MIN_MARK_PX`` tall or more (zoom ≥ 0.8),
  below that an ε alone is written before its number in the number's font;
* **nodes** (nodes at least ``MIN_NODE_PX`` tall, zoom 0.4 … 0.65): coloured nodes and edges, no text —
  the layer titles in the scene go too, the margins keep the lane and layer names;
* **heat strip** (smaller nodes): one row of cells per lane (:mod:`.heat`), no items, no edges, its rows
  stretched to fill the height."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEasingCurve, Qt, QTimer, QVariantAnimation
from PySide6.QtGui import QPainter, QTransform

from ....core.phases import Phase
from ... import style
from ...model.graph_layout import PAD

if TYPE_CHECKING:
    from .view import GraphView

FOLLOW_MS = 280       # the scroll that follows the playhead
PRESENT_STEPS = 12    # the lecture hall's layout fits this many steps across
MAX_FIT_ZOOM = 3.0
HALL_NUMBER_PX = 28   # node numbers readable from the back of a lecture hall
MIN_NODE_PX = 12      # nodes shorter than this on screen: the heat strip (their edges cannot be told apart)
MIN_MARK_PX = 7.5     # the ε under a δ is left out when smaller than this on screen
TITLE_INSET = 6        # screen pixels between the viewport's left edge and a layer title kept in view
TITLE_MS = 150         # the layer titles move to the left edge this long after the view last moved


class Navigator:
    def __init__(self, view: GraphView):
        self.view = view
        self.scroll = QVariantAnimation(view)
        self.scroll.setDuration(FOLLOW_MS)
        self.scroll.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.scroll.valueChanged.connect(lambda x: view.horizontalScrollBar().setValue(round(x)))
        self.titles = QTimer(view)  # moving an item while the view scrolls makes Qt repaint all of it
        self.titles.setSingleShot(True)  # (pan 95 → 76 frames/s): the titles wait for the view to rest
        self.titles.setInterval(TITLE_MS)
        self.titles.timeout.connect(self.keep_titles_in_view)

    def fit(self) -> None:
        """All of the graph in view (a heat strip when that makes the numbers too small to read)."""
        v = self.view
        v.fitInView(v.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        v.zoomChanged.emit(v.transform().m11())

    def far_out(self) -> bool:
        """Whether nodes are too small for their edges to be told apart at the current zoom (the heat strip)."""
        v = self.view
        return v.sizes.node_h * v.transform().m11() < MIN_NODE_PX

    def texts(self) -> tuple[bool, bool]:
        """Whether node numbers, and the small ε marks under them, are large enough to read at this zoom."""
        v = self.view
        zoom = v.transform().m11()
        return v.node_font.pixelSize() * zoom >= style.MIN_NUMBER_PX, v.mark_font.pixelSize() * zoom >= MIN_MARK_PX

    def on_zoom(self, zoom: float) -> None:
        """A new zoom: antialiasing when it can be seen, the level of detail, the heat strip's height, the
        items near the viewport, the margins and the layer titles."""
        v = self.view
        v.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= 0.45)
        v.set_level(self.far_out(), self.texts())
        self.fill_height()
        v.blocks.update()
        self.on_scroll()

    def on_scroll(self) -> None:
        """The view moved: the margins' labels move with it, the layer titles go to its left edge once it rests."""
        self.titles.start()
        self.view.margins.repaint()

    def keep_titles_in_view(self, left: float | None = None) -> None:
        """Each layer band's title at the viewport's left edge, so that a band scrolled past its start still
        names its layer (the title lies in the band's top margin, above its nodes); or at ``left`` (scene
        units: an export of the whole graph puts them where the band starts)."""
        v = self.view
        if left is None:
            left = max(PAD, v.mapToScene(0, 0).x() + TITLE_INSET / v.transform().m11())
        for title in v.band_titles:
            title.setX(left)

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
