"""The graph paints a block's nodes in one call of its NodesPainter; the nodes' own items paint nothing but
still take the clicks; a changed node repaints only its place."""
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from lstmviz.app import style
from lstmviz.app.model import NodeRef
from lstmviz.app.widgets.graph.items import NodeItem, NodesPainter


def count_paints(monkeypatch) -> list[NodeItem]:
    """The nodes painted from now on (their block's painter calls ``NodeItem.paint``; Qt never does)."""
    nodes = []
    paint_node = NodeItem.paint

    def node(self, p, option=None, widget=None):
        nodes.append(self)
        paint_node(self, p, option, widget)
    monkeypatch.setattr(NodeItem, "paint", node)
    return nodes


def centre_of(graph, item: NodeItem) -> QPoint:
    r = graph.node_rect
    return graph.mapFromScene(item.at[0] + r.width() / 2, item.at[1] + r.height() / 2)


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
    w = open_window()
    graph = w.graph
    graph.fit_readable()
    QApplication.processEvents()
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
