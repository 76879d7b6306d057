"""The unrolled graph: one column per step, one lane per variable, every dependency as an edge.

Node colour is the value (forward view) or δ (backward view) on a diverging map (legend:
:class:`.legend.LegendBar`); a node not yet computed at the current phase is hatched grey with a "?".
In phase 2 the h nodes show ε, the time-synchronous partial, until δ replaces it in phase 3. Edges
are styled by :mod:`.edges`; lane names and step numbers sit in the margins (:mod:`.headers`); the
view fits and follows the playhead by :mod:`.navigation`. Too small to read, nodes become a heat
strip. The numbers come from :func:`lstmviz.app.model.lanes.graph_numbers`; this module draws them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from ....core.phases import Phase
from ... import style
from ...model.graph_layout import PAD, GraphLayout, lane_labels, layer_title
from ...model.graph_model import GraphModel
from ...model.lanes import graph_numbers
from ...model.quantities import NodeRef
from ...model.session import Session
from ...numbers import fmt, fmt_signed
from ...qt.binding import observe
from .edges import EdgeStyles
from .headers import Margins
from .items import BLANK, EdgeItem, NodeItem, colour_table
from .navigation import Navigator

MIN_READABLE_ZOOM = 0.7


class GraphView(QGraphicsView):
    """Draws the session's trace; clicking a node selects it, clicking an edge selects its weight."""

    zoomChanged = Signal(float)
    scaleChanged = Signal()

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # next to the lane names
        self.sizes, self.text_scale = style.NORMAL, 1.0
        self.min_zoom = MIN_READABLE_ZOOM
        self.theme_name, self.colour_map = "light", "diverging"
        self.theme = style.THEMES["light"]
        self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
        self.setBackgroundBrush(QColor(self.theme["background"]))
        self.margins = Margins(self)
        self.margins.set_theme(self.theme["background"])
        self.lane_labels = []
        self._make_fonts()
        self.scale_value = 1.0
        self.heat = False
        self.follow_playhead = True
        self.nodes: dict[tuple[int | None, str, int], NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.edge_styles, self.navigator = EdgeStyles(self), Navigator(self)
        self._selected_key = self._asked_key = None
        self.zoomChanged.connect(self._on_zoom_change)
        doc, view = session.document, session.view
        observe(self, (doc.structure_changed, self.rebuild), (doc.trace_changed, self.refresh),
                (view.view_changed, self.refresh), (session.comparison.changed, self.refresh),
                (session.playback.playhead_changed, self._on_playhead_change),
                (view.selection_changed, self._on_selection_change), (session.quiz.changed, self._mark_question))
        self.rebuild()

    # -- sizes and fonts -------------------------------------------------------------------------------
    def _make_fonts(self) -> None:
        g, k = self.sizes, self.text_scale
        self.node_font = _font(style.FONT_FAMILY, g.number_px)
        self.node_metrics = QFontMetricsF(self.node_font)
        self.mark_font = _font(style.FONT_FAMILY, g.number_px * 0.78)
        self.band_font = _font(style.FONT_FAMILY, g.number_px, bold=True)
        self.label_font = _font(style.MATH_FAMILY, g.label_px * k)
        self.time_font = _font(style.FONT_FAMILY, g.label_px * k, bold=True)

    def set_sizes(self, sizes: style.Geometry) -> None:
        """The normal layout or the lecture hall's (bigger nodes, pre-activations on rows of their own)."""
        if sizes != self.sizes:
            self.sizes = sizes
            self._make_fonts()
            self.rebuild()

    def set_text_scale(self, factor: float) -> None:
        """Lane names and step numbers ``factor`` times their size; readable zoom grows with them."""
        self.text_scale = factor
        self._make_fonts()
        self.min_zoom = MIN_READABLE_ZOOM * factor  # nodes and their numbers grow together
        self.margins.update_size()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.margins.place()

    # -- building ----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """A new structure (layers, watches, steps) or layout: every item anew, then the numbers."""
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        self.lane_items: dict[tuple[int | None, str], list[NodeItem]] = {}  # per lane, in step order
        self.edges.clear()
        self._selected_key = self._asked_key = None
        self.edge_styles.reset()
        scenario = self.session.document.scenario
        self.model = GraphModel(scenario.model, len(scenario.watches), split=self.sizes.split)
        T = self.session.document.trace.steps
        self.layout = GraphLayout(self.model, T, self.sizes)
        self._item_rects()
        self._draw_bands()
        for lane in self.model.lanes:
            for t in range(1, T + 1):
                item = NodeItem(lane, t, self)
                item.setPos(*self.layout.node_xy(lane, t))
                scene.addItem(item)
                self.nodes[(lane.layer, lane.var, t)] = item
                self.lane_items.setdefault((lane.layer, lane.var), []).append(item)
        for edge in self.model.edges:
            for t in range(1 + edge.lag, T + 1):
                item = EdgeItem(edge, t, self.nodes[(*edge.src, t - edge.lag)], self.nodes[(*edge.dst, t)], self)
                item.setVisible(not self.heat)
                scene.addItem(item)
                self.edges.append(item)
        scene.setSceneRect(QRectF(0, 0, self.layout.width, self.layout.height))
        self.lane_labels = lane_labels(self.layout, self.session.document)
        self.margins.update_size()
        self.refresh()

    def _item_rects(self) -> None:
        """The node's rectangle, and the cell it fills in the heat strip (up to the next node)."""
        g = self.sizes
        self.node_rect = QRectF(0, 0, g.node_w, g.node_h)
        gap_y = g.row_h - g.node_h - 1
        self.heat_rects = {0: QRectF(0, 0, g.node_w + g.slot_gap, g.node_h + gap_y),
                           1: QRectF(0, 0, g.node_w + g.column_gap, g.node_h + gap_y)}
        self.node_bounds = self.heat_rects[1] if self.heat else QRectF(-3, -3, g.node_w + 6, g.node_h + 6)

    def _draw_bands(self) -> None:
        scene, layout = self.scene(), self.layout
        self.band_titles = []
        layers = self.session.document.scenario.model.layers
        for n in self.model.layer_rows:
            top, bottom = layout.band(n)
            band = scene.addRect(QRectF(PAD / 2, top, layout.width - PAD, bottom - top), QPen(Qt.PenStyle.NoPen),
                                 QColor(self.theme["bands"][n % 2]))
            band.setZValue(-3)
            if layout.band_titles:
                title = scene.addSimpleText(layer_title(n, layers[n]), self.band_font)
                title.setBrush(QColor(self.theme["layer_text"]))
                title.setPos(PAD, top + 6)
                title.setZValue(-2)
                title.setVisible(not self.heat)
                self.band_titles.append(title)

    # -- refreshing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recolour and relabel every node from the model, then apply the playhead and the selection."""
        s = self.session
        self.numbers = numbers = graph_numbers(self.model, s.document, s.view, s.comparison)
        self.scale_value = numbers.scale
        text = fmt_signed if numbers.signed else (lambda x: fmt(x, short=True))
        T = s.document.trace.steps
        for key, shown in numbers.lanes.items():
            v = shown.values
            if v is None or shown.categorical:
                rows = [[BLANK]] * T
            else:
                rows = [r if isinstance(r, list) else [r] for r in colour_table(v, self.scale_value, self.colour_map)]
            texts = [text(x) for x in v.tolist()] if v is not None and v.ndim == 1 else [""] * T
            if shown.categorical:
                texts = [f"{x:.0f}" for x in v.tolist()]
            eps_fills = colour_table(shown.eps, self.scale_value, self.colour_map) if shown.eps is not None else None
            eps_texts = [text(x) for x in shown.eps.tolist()] if shown.eps is not None else None
            on_kink = shown.kinks.tolist() if shown.kinks is not None else [False] * T
            for t, (item, row, label, kink) in enumerate(zip(self.lane_items[key], rows, texts, on_kink, strict=True)):
                item.has_value, item.value_fills, item.value_text, item.on_kink = v is not None, row, label, kink
                item.eps = None if eps_fills is None else (eps_fills[t], eps_texts[t])
        self._apply_playhead()
        self._mark_selection()
        self._mark_question()
        self.edge_styles.refresh()
        self.lane_labels = lane_labels(self.layout, s.document)  # a watch's tooltip says what it needs
        self.margins.repaint()
        self.scaleChanged.emit()

    def _on_playhead_change(self) -> None:
        self._apply_playhead()
        self.edge_styles.refresh()
        if self.follow_playhead:
            self.navigator.follow()

    def _apply_playhead(self) -> None:
        """What is computed at the current phase and step: hatching, ε before δ, the current column."""
        ph, backward = self.session.playback.playhead, self.session.view.view == "backward"
        current = ph.current_t if ph.phase <= Phase.BPTT else None
        steps = range(1, ph.T + 1)
        computed = [ph.delta_visible(t) if backward else ph.value_visible(t) for t in steps]
        eps_done = [ph.eps_visible(t) for t in steps]
        room_for_eps = self.sizes.node_h >= self.sizes.number_px * 1.75  # δ above ε in one node
        for key, items in self.lane_items.items():
            needs = self.numbers.lanes[key].needs
            done = [ph.has(needs, t) for t in steps] if needs is not None else computed
            waiting = needs.short if needs is not None else "?"
            for item, is_done, eps_ok in zip(items, done, eps_done, strict=True):
                item.waiting = waiting
                eps = item.eps if eps_ok else None
                item.current = current == item.t
                item.eps_alone = eps is not None and not is_done  # phase 2: ε, until δ arrives
                if item.eps_alone:
                    item.future, item.fills, item.text, item.mark = False, [eps[0]], eps[1], ""
                else:
                    item.future = item.has_value and not is_done
                    item.fills, item.text = item.value_fills, item.value_text
                    item.mark = f"ε {eps[1]}" if eps is not None and room_for_eps else ""
                item.kink = item.on_kink and not item.future
                item.update()

    def _mark_question(self) -> None:
        """The quiz's node, about to be computed: marked for the prediction."""
        question = self.session.quiz.question
        self._asked_key = self._move_mark("asked", self._asked_key, None if question is None else question.node)

    def _on_selection_change(self) -> None:
        """Mark the node; under window:K also redraw the cuts of the selected step's cost (edge styles only)."""
        self._mark_selection()
        if self.session.document.mode.kind == "window":
            self.edge_styles.refresh()

    def _mark_selection(self) -> None:
        self._selected_key = self._move_mark("selected", self._selected_key, self.session.view.selection)

    def _move_mark(self, flag: str, old: tuple | None, node: NodeRef | None) -> tuple | None:
        """Take a node's ``flag`` (selected, asked) from the node that had it to ``node``'s; its key."""
        key = None if node is None else (node.layer, node.var, node.t)
        if key != old:
            for k, on in ((old, False), (key, True)):
                if k in self.nodes:
                    setattr(self.nodes[k], flag, on)
                    self.nodes[k].update()
        return key

    # -- what the items ask -------------------------------------------------------------------------------
    def node_ref(self, item: NodeItem) -> NodeRef:
        lane = item.lane
        return NodeRef(lane.layer, lane.var, item.t, self.model.unit_in(lane.layer, self.session.view.unit))

    def node_tooltip(self, item: NodeItem) -> str:
        needs = self.numbers.lanes[(item.lane.layer, item.lane.var)].needs
        if item.future and needs is not None:
            return f"{style.label(item.lane.var)}[{item.t}] {needs.describe()}: not computed yet — click to explain"
        return f"{self.node_ref(item).describe(self.session.document.trace)} — click to explain"

    def node_clicked(self, item: NodeItem) -> None:
        self.session.view.select(self.node_ref(item))

    def edge_clicked(self, item: EdgeItem) -> None:
        self.session.view.select_weight(*self.model.weight_entry(item.edge, self.session.view.unit))

    def node_item(self, node: NodeRef) -> NodeItem:
        return self.nodes[(node.layer, node.var, node.t)]

    # -- zoom, following, looks ---------------------------------------------------------------------------------
    def fit(self) -> None:
        self.navigator.fit()

    def fit_readable(self) -> None:
        self.navigator.fit_readable()

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.02 / current, min(6.0 / current, factor))
        self.scale(factor, factor)
        self.zoomChanged.emit(self.transform().m11())

    def set_look(self, theme: str | None = None, colour_map: str | None = None) -> None:
        """Theme (light, contrast, dark) and colour map (diverging, cividis)."""
        if colour_map is not None and colour_map != self.colour_map:
            self.colour_map = colour_map
            self.refresh()
        if theme is not None and theme != self.theme_name:
            self.theme_name, self.theme = theme, style.THEMES[theme]
            self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
            self.setBackgroundBrush(QColor(self.theme["background"]))
            self.margins.set_theme(self.theme["background"])
            self.rebuild()  # the layer bands and the edge pens are part of the scene

    def _on_zoom_change(self, zoom: float) -> None:
        """Antialias only when zoomed in enough to see it; too small to read, a heat strip without edges."""
        self.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= 0.45)
        self._set_heat(self.sizes.number_px * zoom < style.MIN_NUMBER_PX)
        self.margins.repaint()

    @contextmanager
    def numbers_shown(self) -> Iterator[None]:
        """Nodes with their numbers and edges for a while (an export), even when zoomed out to a heat strip."""
        heat = self.heat
        self._set_heat(False)
        try:
            yield
        finally:
            self._set_heat(heat)

    def _set_heat(self, heat: bool) -> None:
        if heat != self.heat:
            for node in self.nodes.values():
                node.prepareGeometryChange()  # a node's cell in the heat strip is larger than the node
            self.heat = heat
            self._item_rects()
            for item in self.edges + self.band_titles:
                item.setVisible(not heat)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.margins.repaint()  # the margins' labels move with the view

    def wheelEvent(self, event) -> None:
        self.zoom(1.0015 ** event.angleDelta().y())


def _font(family: str, px: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, round(px)))
    if bold:
        font.setBold(True)
    return font

