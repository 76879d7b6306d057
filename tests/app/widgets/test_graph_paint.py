"""The graph paints a block's nodes in one call of its NodesPainter; the nodes' own items paint nothing but
still take the clicks; changed nodes repaint only their places, and what a partial repaint leaves on
screen is what a full one paints."""
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QGraphicsView, QStyleOptionGraphicsItem

from lstmviz.app import style
from lstmviz.app.model import NodeRef
from lstmviz.app.numbers import fmt, fmt_signed
from lstmviz.app.widgets.graph import items as items_module
from lstmviz.app.widgets.graph.items import NodeItem, NodesPainter
from tests.app.widgets.test_graph_refresh import long_calculator


def count_paints(monkeypatch) -> list[NodeItem]:
    """The nodes painted from now on (their block's painter paints what lies over each node's box with
    ``NodeItem.paint_over``, on screen after blitting the boxes, in an export after drawing them; Qt never does)."""
    nodes = []
    paint_over = NodeItem.paint_over

    def node(self, p):
        nodes.append(self)
        paint_over(self, p)
    monkeypatch.setattr(NodeItem, "paint_over", node)
    return nodes


def centre_of(graph, item: NodeItem) -> QPoint:
    r = graph.node_rect
    return graph.mapFromScene(item.at[0] + r.width() / 2, item.at[1] + r.height() / 2)


def at_readable_zoom(window):
    """The window and its graph at the readable zoom, laid out and painted."""
    window.graph.fit_readable()
    QApplication.processEvents()
    return window, window.graph


def test_a_repaint_paints_every_node_on_screen_once_by_its_blocks_painter(open_window, monkeypatch):
    w = open_window()
    graph = w.graph
    graph.fit_readable()
    holder, block_nodes, _ = graph.blocks.made[0]  # the calculator's 8 steps: one block
    painters = [item for item in holder.childItems() if isinstance(item, NodesPainter)]
    assert len(painters) == 1 and painters[0].nodes is block_nodes
    nodes = count_paints(monkeypatch)
    graph.viewport().repaint()
    shown = graph.mapToScene(graph.viewport().rect()).boundingRect()
    on_screen = {id(item) for item in graph.nodes.values() if shown.contains(*item.at)}
    assert len(nodes) == len(set(map(id, nodes)))  # each once: the items do not paint themselves
    assert len(on_screen) > 40 and on_screen <= set(map(id, nodes))
    assert all(shown.intersects(graph.node_bounds.translated(*item.at)) for item in nodes)  # none off screen
    c4 = graph.nodes[(0, "c", 4)]
    graph.centerOn(*c4.at)
    image = graph.viewport().grab().toImage()
    corner = graph.mapFromScene(c4.at[0] + 6, c4.at[1] + graph.node_rect.height() - 4)  # left of the number
    assert image.pixelColor(corner).name() == c4.fills[0].name() == style.COLOUR_MAPS["diverging"][-1][1]


def test_a_changed_node_repaints_only_its_place(open_window, monkeypatch):
    w, graph = at_readable_zoom(open_window())
    nodes = count_paints(monkeypatch)
    w.session.view.select(NodeRef(0, "c", 4, 0))  # the selection ring moves to c[4]
    QApplication.processEvents()
    c4 = graph.nodes[(0, "c", 4)]
    assert c4.selected and c4 in nodes and len(nodes) <= 3  # c[4] and at most a neighbour its bounds touch


def test_the_nodes_items_still_take_the_clicks(open_window, qtbot):
    w = open_window()
    graph = w.graph
    graph.fit_readable()
    c3 = graph.nodes[(0, "c", 3)]
    point = centre_of(graph, c3)
    assert graph.itemAt(point) is c3  # the painter over the block is not hit
    qtbot.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton, pos=point)
    selection = w.session.view.selection
    assert (selection.layer, selection.var, selection.t) == (0, "c", 3)


def record_regions(monkeypatch) -> list:
    """The regions (viewport pixels) the nodes' painters are asked to paint from now on."""
    regions = []
    meets = items_module._meets

    def recording(region, to_device, bounds):
        regions.append(None if region is None else QRegion(region))
        return meets(region, to_device, bounds)
    monkeypatch.setattr(items_module, "_meets", recording)
    return regions


def test_a_few_changed_nodes_repaint_alone_and_many_as_the_rectangle_around_them(open_window, monkeypatch):
    w, graph = at_readable_zoom(open_window())
    shown = graph.mapToScene(graph.viewport().rect()).boundingRect()
    steps = [t for t in range(1, 9) if shown.contains(graph.node_rect.translated(*graph.nodes[(0, "c", t)].at))]
    first, last = graph.nodes[(0, "c", steps[0])], graph.nodes[(0, "c", steps[-1])]
    middle = graph.nodes[(0, "c", (steps[0] + steps[-1]) // 2)]
    assert len(steps) >= 3

    def place(item: NodeItem) -> QPoint:
        return graph.mapFromScene(graph.node_rect.translated(*item.at).center())
    regions = record_regions(monkeypatch)
    w.session.view.select(NodeRef(0, "c", first.t, 0))
    QApplication.processEvents()
    regions.clear()
    w.session.view.select(NodeRef(0, "c", last.t, 0))  # the ring moves to a node far from the first
    QApplication.processEvents()
    assert regions and regions[0].rectCount() == 2
    assert regions[0].contains(place(first)) and regions[0].contains(place(last))
    assert not regions[0].contains(place(middle))
    regions.clear()
    w.session.document.set_entry("l0/b_g", (0,), 0.5)  # every c, h and ŷ changes
    QApplication.processEvents()
    assert regions and regions[0].rectCount() == 1  # one rectangle: clipping to many would cost more
    assert regions[0].contains(place(first)) and regions[0].contains(place(middle))


def test_a_number_is_placed_once_centred_and_again_for_new_sizes(open_window):
    w = open_window()
    graph = w.graph
    layouts = graph.number_layouts
    font, origin = layouts.centred("−0.123", 0.0)
    assert layouts.centred("−0.123", 0.0) is layouts.centred("−0.123", 0.0)  # measured once
    advance = QFontMetricsF(font).horizontalAdvance("−0.123")
    assert font.pixelSize() == round(style.NORMAL.number_px)
    assert abs(origin.x() + advance / 2 - graph.node_rect.width() / 2) < 1e-9  # centred across the node
    for k in range(layouts.LIMIT + 5):
        layouts.centred(str(k), 0.0)
    assert len(layouts.placed) <= layouts.LIMIT  # memory stays bounded
    graph.set_sizes(style.PRESENTING)
    assert graph.number_layouts is not layouts
    assert graph.number_layouts.centred("−0.123", 0.0)[0].pixelSize() == round(style.PRESENTING.number_px)


def test_a_new_number_is_measured_as_wide_as_qt_measures_it(open_window):
    w = open_window()
    graph = w.graph
    rng = np.random.default_rng(5)
    values = np.concatenate([rng.uniform(-1, 1, 300), rng.uniform(-1e-4, 1e-4, 100), rng.uniform(-1e5, 1e5, 100)])
    texts = [text for v in values for text in (fmt(float(v), short=True), fmt_signed(float(v)), "ε" + fmt(float(v)))]
    for sizes in (style.NORMAL, style.PRESENTING):
        graph.set_sizes(sizes)
        layouts = graph.number_layouts
        assert layouts.advances  # the node font kerns no pair of digits, signs, points or exponents
        assert [layouts.advance(t) for t in texts] == [graph.node_metrics.horizontalAdvance(t) for t in texts]
        assert layouts.advance("needs δ") == graph.node_metrics.horizontalAdvance("needs δ")  # other text: Qt's


def on_screen(graph) -> QImage:
    """The viewport as the window shows it now (the backing store, not a fresh paint)."""
    viewport = graph.viewport()
    corner = viewport.mapTo(viewport.window(), QPoint(0, 0))
    shot = QApplication.primaryScreen().grabWindow(viewport.window().winId(), corner.x(), corner.y(),
                                                   viewport.width(), viewport.height())
    return shot.toImage().convertToFormat(QImage.Format.Format_RGB32)


def test_what_a_partial_repaint_leaves_on_screen_is_what_a_full_repaint_paints(open_window, monkeypatch):
    w, graph = at_readable_zoom(open_window())
    regions = record_regions(monkeypatch)
    for value in (0.5, 1.5, 0.9):
        regions.clear()
        w.session.document.set_entry("l0/b_i", (0,), value)  # a few dozen nodes change, scattered
        QApplication.processEvents()
        assert regions and regions[0].rectCount() > 1  # repainted as a region of their places
        partial = on_screen(graph)
        graph.viewport().repaint()
        assert on_screen(graph) == partial


def test_after_an_edit_a_pan_shows_the_columns_that_were_off_screen_as_a_full_repaint_does(open_window, tmp_path):
    w = open_window(long_calculator(tmp_path / "long.json"))
    graph = w.graph
    graph.fit_readable()
    bar = graph.horizontalScrollBar()
    bar.setValue(0)
    QApplication.processEvents()
    w.session.document.set_entry("l0/b_g", (0,), 0.5)  # every c and h changes; columns off screen wait
    QApplication.processEvents()
    assert graph.blocks.missed or graph.blocks.stale
    for _ in range(6):  # a pan a third of a column at a time, each step painted as the window paints it
        bar.setValue(bar.value() + round(graph.layout.column_w * graph.transform().m11() / 3))
        QApplication.processEvents()
    panned = on_screen(graph)
    first, last = graph.blocks.shown_steps()
    c = w.session.document.trace["l0/c"][:, 0]
    assert [dict.__getitem__(graph.nodes, (0, "c", t)).text for t in range(first, last + 1)] == [
        fmt(float(c[t - 1]), short=True) for t in range(first, last + 1)]  # every column on screen up to date
    graph.viewport().repaint()
    assert on_screen(graph) == panned


def test_the_edges_are_painted_with_their_new_pens_after_a_restyle(open_window):
    w, graph = at_readable_zoom(open_window())
    w.session.document.set_entry("l0/b_i", (0,), 0.9)
    w.session.view.set_view("backward")  # each edge as wide as the gradient flowing along it
    QApplication.processEvents()
    widest = max(graph.edges, key=lambda e: e.pen().widthF())  # δf[4]·c[3] into c[4] (test_window)
    assert widest.pen().widthF() > 6 and widest.pen().color().name() == style.FLOW
    graph.centerOn(widest.path().pointAtPercent(0.5))
    QApplication.processEvents()
    points = [graph.mapFromScene(widest.path().pointAtPercent(k / 40)) for k in range(41)]
    bare = next(p for p in points if graph.itemAt(p) is widest)  # a point where no node lies over it
    partial = on_screen(graph)
    assert partial.pixelColor(bare).name() == style.FLOW  # repainted with its new pen
    graph.viewport().repaint()
    assert on_screen(graph) == partial



def test_a_blocks_painter_leaves_the_antialiasing_as_it_found_it(open_window, tmp_path):
    """The view saves no painter state around each item: the edges of the next block, painted after this
    block's nodes (drawn without antialiasing), must still be antialiased."""
    w, graph = at_readable_zoom(open_window(long_calculator(tmp_path / "long.json")))
    assert graph.optimizationFlags() & QGraphicsView.OptimizationFlag.DontSavePainterState
    holder = graph.blocks.made[min(graph.blocks.made)][0]
    painter = next(item for item in holder.childItems() if isinstance(item, NodesPainter))
    option = QStyleOptionGraphicsItem()
    option.exposedRect = painter.boundingRect()
    image = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(image)
    for antialiased in (True, False):
        p.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)
        painter.paint(p, option)
        assert p.testRenderHint(QPainter.RenderHint.Antialiasing) is antialiased
    p.end()


def box_pixels(image: QImage, graph, item: NodeItem, shift: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The RGB pixels of a node's box and its border, ``shift`` pixels away."""
    r = graph.mapFromScene(graph.node_rect.translated(*item.at)).boundingRect().translated(*shift)
    return np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(r.left() - 1, r.right() + 2)]
                     for y in range(r.top() - 1, r.bottom() + 2)])


def test_the_blitted_boxes_look_as_the_shapes_an_export_draws(open_window, monkeypatch):
    """On screen each box is a picture made once per look and zoom; an export draws it as shapes. Both look
    the same, at the readable zoom and zoomed in, up to a pixel: a picture goes to whole pixels (its box a
    pixel wider or narrower, shifted by one against the number and the edges); and a look is made once
    however many nodes have it."""
    w, graph = at_readable_zoom(open_window())
    w.session.view.select(NodeRef(0, "c", 4, 0))  # one node with the selection's border
    monkeypatch.setattr(NodeItem, "_paint_text", lambda *_: None)  # the boxes alone: numbers go to fractions
    QApplication.processEvents()                                   # of a pixel, pictures do not
    for zoom in (1.0, 1.7):
        graph.zoom(zoom)
        graph.viewport().repaint()
        sprites = graph.sprites
        assert sprites.scale[0] == graph.transform().m11()
        screen = on_screen(graph)
        exported = QImage(screen.size(), QImage.Format.Format_ARGB32_Premultiplied)
        exported.fill(graph.backgroundBrush().color())
        p = QPainter(exported)
        graph.render(p, source=graph.viewport().rect())  # the scene drawn onto an image: no widget, shapes
        p.end()
        inside = graph.viewport().rect().adjusted(2, 2, -2, -2)
        shown = [item for item in graph.nodes.values()
                 if inside.contains(graph.mapFromScene(graph.node_bounds.translated(*item.at)).boundingRect())]
        single = [item for item in shown if len(item.fills) == 1]
        looks = {(id(item.fills[0]), id(item.border())) for item in single}
        assert len(single) > 20 and len(looks) < len(single)
        assert looks <= set(sprites.pictures) and len(sprites.pictures) < len(single)  # (+ nodes cut by the edge)
        for item in single:
            blit, drawn = box_pixels(screen, graph, item), box_pixels(exported, graph, item)
            fill = np.array(item.fills[0].getRgb()[:3])
            (w, h), (w_drawn, h_drawn) = filled_extent(blit, fill), filled_extent(drawn, fill)
            assert w > 0.8 * blit.shape[1] and abs(w - w_drawn) <= 2 and abs(h - h_drawn) <= 2
            same = max((np.abs(blit - box_pixels(exported, graph, item, (dx, dy))).max(axis=2) <= 12).mean()
                       for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            assert same > 0.85, (item.lane.var, item.t, zoom)  # a pixel narrower and shifted: ~0.88


def filled_extent(pixels: np.ndarray, fill: np.ndarray) -> tuple[int, int]:
    """How many columns and rows the fill colour reaches (the box inside its border)."""
    filled = (pixels == fill).all(axis=2)
    return int(filled.any(axis=0).sum()), int(filled.any(axis=1).sum())
