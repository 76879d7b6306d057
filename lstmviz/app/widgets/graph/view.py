"""The unrolled graph: one column per step, one lane per variable, every dependency as an edge.

Node colour is the value (forward view) or δ (backward view) on a diverging map (legend:
:class:`.legend.LegendBar`); a node not yet computed at the current phase is hatched grey with a "?".
In phase 2 the h nodes show ε, the time-synchronous partial, until δ replaces it in phase 3. Edges
are styled by :mod:`.edges`; lane names and step numbers sit in the margins (:mod:`.headers`); the
view fits and follows the playhead by :mod:`.navigation`. Items exist only for the steps near the
viewport (:mod:`.blocks`), coloured from NumPy arrays (:mod:`.shown`); too small to read, nodes lose
their numbers, and smaller still give way to one heat-strip item (:mod:`.heat`; the levels:
:mod:`.navigation`). The numbers come from :func:`lstmviz.app.model.lanes.graph_numbers`; this module
draws them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QRegion
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from ... import style
from ...model.graph_layout import PAD, GraphLayout, lane_labels, layer_title
from ...model.graph_model import GraphModel
from ...model.lanes import graph_numbers
from ...model.quantities import NodeRef
from ...model.session import Session
from ...numbers import fmt, fmt_signed
from ...qt.binding import observe
from .blocks import Blocks
from .edges import EdgeStyles
from .headers import Margins
from .heat import HeatStrip
from .items import NODE_PAD, EdgeItem, NodeItem, NumberLayouts, draw_box
from .navigation import Navigator
from .progress import Progress
from .shown import LaneColours
from .sprites import BoxSprites

MIN_READABLE_ZOOM = 0.7


class GraphView(QGraphicsView):
    """Draws the session's trace; clicking a node selects it, clicking an edge selects its weight."""

    zoomChanged = Signal(float)
    scaleChanged = Signal()

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setScene(QGraphicsScene(self))
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # few items, often replaced
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)  # items restore what they change
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # next to the lane names
        self.sizes, self.text_scale = style.NORMAL, 1.0
        self.min_zoom = MIN_READABLE_ZOOM
        self.theme_name, self.colour_map = "light", "diverging"
        self.theme = style.THEMES["light"]
        self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
        self.setBackgroundBrush(QColor(self.theme["background"]))
        self.blocks = Blocks(self)
        self.margins = Margins(self)
        self.margins.set_theme(self.theme["background"])
        self.lane_labels = []
        self.repainted: QRegion | None = None  # during a paint event: the region repainted (viewport pixels)
        self._make_fonts()
        self.scale_value = 1.0
        self.heat = False
        self.texts = (True, True)  # node numbers, ε marks under them: readable at this zoom (.navigation)
        self.follow_playhead = True
        self.edge_styles, self.navigator = EdgeStyles(self), Navigator(self)
        self.selected_key = self.quiz_key = None  # (layer, var, t) of the selected node, the quiz's node
        self.zoomChanged.connect(self.navigator.on_zoom)
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
        self.mark_font = _font(style.FONT_FAMILY, g.number_px * 0.85)
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
        self.navigator.fill_height()
        self.margins.place()
        self.blocks.update()

    # -- building ----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """A new structure (layers, watches, steps) or layout: the scene anew, then the numbers. Nodes and
        edges are made only near the viewport (:mod:`.blocks`); far out the heat strip stands for them."""
        self.blocks = Blocks(self)  # inactive until the new layout is in place
        self._heat_stale = False  # nothing to draw in the heat strip until refresh()
        scene = self.scene()
        scene.clear()
        self.nodes = NodeTable(self)
        self.edges: list[EdgeItem] = []
        self.selected_key = self.quiz_key = None
        self.edge_styles.reset()
        scenario = self.session.document.scenario
        self.model = GraphModel(scenario.model, len(scenario.watches), split=self.sizes.split)
        self.lane_at = {(lane.layer, lane.var): lane for lane in self.model.lanes}
        self.layout = GraphLayout(self.model, self.session.document.trace.steps, self.sizes)
        g = self.sizes
        self.node_rect = QRectF(0, 0, g.node_w, g.node_h)
        self.node_bounds = self.node_rect.adjusted(-NODE_PAD, -NODE_PAD, NODE_PAD, NODE_PAD)  # asked for often
        self.number_layouts = NumberLayouts(self)  # laid out for these sizes
        self.sprites = BoxSprites(self.node_rect, NODE_PAD, draw_box)
        self._draw_bands()
        self.heat_strip = HeatStrip(self)
        self.heat_strip.setVisible(self.heat or not self.texts[0])
        scene.addItem(self.heat_strip)
        scene.setSceneRect(QRectF(0, 0, self.layout.width, self.layout.height))
        self.lane_labels = lane_labels(self.layout, self.session.document)
        self.margins.update_size()
        self.refresh()
        self.navigator.fill_height()  # the new layout's height
        self.blocks.active = True
        self.blocks.update()

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
                title.setPos(PAD, top + 6)  # kept at the viewport's left edge (Navigator.keep_titles_in_view)
                title.setZValue(-2)
                title.setVisible(not self.heat and self.texts[0])
                self.band_titles.append(title)

    # -- refreshing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recolour and relabel the nodes on screen from the model, then apply the playhead and the selection."""
        s = self.session
        self.numbers = numbers = graph_numbers(self.model, s.document, s.view, s.comparison)
        self.scale_value = numbers.scale
        text = fmt_signed if numbers.signed else (lambda x: fmt(x, short=True))
        self.colours = {key: LaneColours(shown, self.scale_value, self.colour_map, text)
                        for key, shown in numbers.lanes.items()}
        self._apply_playhead(self.state_nodes)
        self._mark_selection()
        self._mark_question()
        self.edge_styles.refresh()
        labels = lane_labels(self.layout, s.document)  # a watch's tooltip says what it needs
        if labels != self.lane_labels:
            self.lane_labels = labels
            self.margins.repaint()
        self.scaleChanged.emit()

    def _on_playhead_change(self) -> None:
        self._apply_playhead()
        self.edge_styles.refresh()
        if self.follow_playhead:
            self.navigator.follow()

    def _apply_playhead(self, restate: Callable[[list[NodeItem]], None] | None = None) -> None:
        """What is computed at the current phase and step; then the nodes on screen (hatching, ε before δ,
        the current column; with ``restate``, their numbers too) and the heat strip."""
        s = self.session
        self.progress = Progress(s.playback.playhead, s.view.view == "backward", self.numbers)
        self.blocks.restate(restate or self.progress.apply)
        self._heat_stale = True
        self._refresh_heat()

    def _refresh_heat(self) -> None:
        """The heat strip's images, when it is shown and they are out of date."""
        if self.heat and self._heat_stale:
            self._heat_stale = False
            done, eps = self.progress.done, self.progress.eps_done
            self.heat_strip.refresh({key: c.pixels(done[key], eps) for key, c in self.colours.items()})

    def state_nodes(self, items: list[NodeItem]) -> None:
        """Everything these nodes show (nodes of one lane): their numbers, the playhead's state, the marks."""
        lane = items[0].lane
        self.colours[(lane.layer, lane.var)].apply(items)
        self.progress.apply(items)
        for item in items:
            key = (lane.layer, lane.var, item.t)
            item.selected, item.asked = key == self.selected_key, key == self.quiz_key

    def _mark_question(self) -> None:
        """The quiz's node, about to be computed: marked for the prediction."""
        question = self.session.quiz.question
        self.quiz_key = self._move_mark("asked", self.quiz_key, None if question is None else question.node)

    def _on_selection_change(self) -> None:
        """Mark the node; under window:K also redraw the cuts of the selected step's cost (edge styles only)."""
        self._mark_selection()
        if self.session.document.mode.kind == "window":
            self.edge_styles.refresh()

    def _mark_selection(self) -> None:
        self.selected_key = self._move_mark("selected", self.selected_key, self.session.view.selection)

    def _move_mark(self, flag: str, old: tuple | None, node: NodeRef | None) -> tuple | None:
        """Take a node's ``flag`` (selected, asked) from the node that had it to ``node``'s; its key."""
        key = None if node is None else (node.layer, node.var, node.t)
        if key != old:
            for k, on in ((old, False), (key, True)):
                if k in self.nodes:
                    setattr(self.nodes[k], flag, on)
                    self.nodes[k].update()
            self.heat_strip.update()
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
        """The node's item (made with its block if it was not on screen)."""
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

    def far_out(self) -> bool:
        """Whether nodes are too small to draw at the current zoom (then: the heat strip; :mod:`.navigation`)."""
        return self.navigator.far_out()

    @contextmanager
    def numbers_shown(self) -> Iterator[None]:
        """Every node with its number and every edge for a while (an export of the whole graph), even when
        zoomed out to a heat strip; afterwards only the items near the viewport again."""
        heat, texts = self.heat, self.texts
        self.set_level(False, (True, True))
        try:
            with self.blocks.all_made():
                yield
        finally:
            self.set_level(heat, texts)

    def set_level(self, heat: bool, texts: tuple[bool, bool]) -> None:
        """The level of detail: the heat strip or nodes; which texts the nodes show (:meth:`.Navigator.texts`)."""
        self._set_heat(heat)
        if texts != self.texts:
            self.texts = texts
            self.blocks.restate(self.progress.apply)
        for item in self.band_titles:
            item.setVisible(not heat and texts[0])
        self.heat_strip.setVisible(heat or not texts[0])  # without text, the strip names the layers

    def _set_heat(self, heat: bool) -> None:
        if heat != self.heat:
            self.heat = heat
            self._refresh_heat()
            self.blocks.show(not heat)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if self.heat_strip.isVisible():
            self.viewport().update()  # the layer titles stay at the viewport's left edge
        self.blocks.update()
        self.navigator.on_scroll()

    def paintEvent(self, event) -> None:
        """Qt's painting, with the region it repaints at hand for the nodes' painters (:mod:`.items`)."""
        self.repainted = event.region()
        super().paintEvent(event)  # an error in an item's paint() is printed, not raised: no finally needed
        self.repainted = None

    def wheelEvent(self, event) -> None:
        self.zoom(1.0015 ** event.angleDelta().y())


class NodeTable(dict):
    """The nodes on screen by (layer, var, t); looking up another valid node makes its block."""

    def __init__(self, view: GraphView):
        super().__init__()
        self.view = view

    def __getitem__(self, key: tuple):
        """The node, up to date even when its block is off screen (stale, :meth:`.Blocks.restate`)."""
        item = super().__getitem__(key)
        self.view.blocks.freshen(self.view.blocks.block_of(key[2]))
        return item

    def __missing__(self, key: tuple):
        layer, var, t = key
        v = self.view
        if (layer, var) not in v.lane_at or not 1 <= t <= v.layout.steps:
            raise KeyError(key)
        v.blocks.make(v.blocks.block_of(t))
        return dict.__getitem__(self, key)


def _font(family: str, px: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, round(px)))
    if bold:
        font.setBold(True)
    return font

