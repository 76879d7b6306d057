"""The inspector rewrites its page only while on screen: behind another tab an edit costs it nothing, and
the page is up to date as soon as its tab comes up."""
from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.numbers import fmt


def test_the_inspector_behind_the_weights_tab_catches_up_when_raised(open_window, qtbot):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    c4 = fmt(float(w.session.document.trace["l0/c"][3, 0]))
    assert c4 in w.inspector.toPlainText()
    w.docks["weights"].raise_()  # editing in the Weights panel: the inspector is behind it
    qtbot.waitUntil(lambda: w.inspector.viewport().visibleRegion().isEmpty())
    page = w.inspector.toHtml()
    w.session.document.set_entry("l0/b_g", (0,), 0.5)
    new_c4 = fmt(float(w.session.document.trace["l0/c"][3, 0]))
    assert new_c4 != c4
    assert w.inspector.toHtml() == page  # not rewritten while hidden
    w.docks["inspector"].raise_()
    qtbot.waitUntil(lambda: new_c4 in w.inspector.toPlainText())


def test_a_selection_behind_another_tab_is_shown_at_once(open_window):
    w = open_window()
    w.docks["weights"].raise_()
    w.session.view.select(NodeRef(0, "c", 4, 0))  # chosen in the graph: the page is ready when looked at
    assert "c[4] = f[4]·c[3] + i[4]·c̃[4]" in w.inspector.toPlainText()
