"""window:K in the window: a selected node's step is the cost whose window the graph draws, and the inspector
takes the share of the cost that stops at an edge out of the terms that cross it."""
from PySide6.QtCore import Qt

from lstmviz.app.model.quantities import NodeRef


def recurrent_pens(w):
    """Whether the recurrent edge h[t−1] → c[t] is drawn dashed, by t."""
    return {item.t: item.pen().style() == Qt.PenStyle.DashLine
            for item in w.graph.edges if item.edge.kind == "recurrent"}


def test_selecting_a_node_draws_its_costs_window_cuts(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    w.session.document.set_mode("window:3")
    assert not any(recurrent_pens(w).values())  # no edge is cut for every cost
    item = w.graph.nodes[(0, "a", 6)]
    w.graph.ensureVisible(item)
    pos = w.graph.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(w.graph.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert w.session.view.selection == NodeRef(0, "a", 6, 0)
    dashed = recurrent_pens(w)
    # E[6] looks back over steps 4 … 6: the edges into steps 2, 3, 4 are cut for it, those into 5 and 6 carry it
    assert [t for t, cut in sorted(dashed.items()) if cut] == [2, 3, 4]
    assert dashed[5] is False and dashed[6] is False
    tip = w.graph.edge_styles.tooltip(next(i for i in w.graph.edges if i.edge.kind == "recurrent" and i.t == 4))
    assert "cut by window:3 for E[6]" in tip
    w.session.view.select(None)
    assert not any(recurrent_pens(w).values())


def test_the_inspector_takes_out_the_share_that_stops(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    w.session.document.set_mode("window:3")
    w.session.view.select(NodeRef(0, "h", 1, 0))
    text = w.inspector.toPlainText()
    assert "δh[1] = εh[1] + u·δc[2] − u·δc[2] of E[4]" in text
    assert "E[4] looks back over steps 2 … 4 only" in text
    w.session.view.set_view("backward")
    w.session.view.select(NodeRef(0, "a", 7, 0))   # E[7]'s window starts at step 5: the edge into 5 is cut
    assert [t for t, cut in sorted(recurrent_pens(w).items()) if cut] == [2, 3, 4, 5]
