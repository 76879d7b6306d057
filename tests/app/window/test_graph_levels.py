"""The graph's levels of detail: numbers only where they can be read, edges only where nodes can be told
apart, and a level between (coloured nodes and edges, no text)."""
import numpy as np

from lstmviz.app import style
from lstmviz.app.model import Playhead
from lstmviz.core.phases import Phase

ZOOMS = np.round(np.arange(0.2, 1.6, 0.05), 2)


def number(text: str) -> float:
    """A node's number as written (a typographic minus)."""
    return float(text.replace("−", "-"))


def on_screen(graph):
    """The nodes and edges of the blocks the viewport shows."""
    blocks = graph.blocks.wanted(0) & set(graph.blocks.made)
    return ([n for b in blocks for n in graph.blocks.made[b][1]], [e for b in blocks for e in graph.blocks.made[b][2]])


def test_at_no_zoom_is_text_too_small_to_read_or_an_edge_drawn_between_nodes_too_small(open_window):
    w = open_window("stacked-lstm")
    graph = w.graph
    w.session.view.set_view("backward")  # δ in the nodes, ε under the h nodes' δ
    graph.fit_readable()
    levels = {}
    for zoom in ZOOMS:
        graph.zoom(zoom / graph.transform().m11())
        nodes, edges = on_screen(graph)
        number_px, mark_px = (f.pixelSize() * zoom for f in (graph.node_font, graph.mark_font))
        if graph.heat:
            assert graph.sizes.node_h * zoom < 12 and not any(i.isVisible() for i in [*graph.nodes.values(),
                                                                                     *graph.edges])
            levels[zoom] = "heat"
            continue
        assert graph.sizes.node_h * zoom >= 12 and nodes and all(n.isVisible() for n in nodes)
        assert all(e.isVisible() for e in edges)
        texts = [n.text or n.waiting for n in nodes if n.text or n.waiting]
        marks = [n.mark for n in nodes if n.mark]
        assert not texts or number_px >= style.MIN_NUMBER_PX, zoom
        assert not marks or mark_px >= 7.5, zoom
        assert all(t.isVisible() == bool(texts) for t in graph.band_titles)  # the layer's title: text too
        levels[zoom] = "numbers" if texts else "nodes"
        if texts:
            h = graph.nodes[(0, "h", 4)]
            assert np.isclose(number(h.text), w.session.document.trace["l0/delta_h"][3, 0], rtol=0.05)
            assert bool(h.mark) == (mark_px >= 7.5)
    assert [levels[z] for z in (0.2, 0.35)] == ["heat", "heat"]
    assert [levels[z] for z in (0.45, 0.6)] == ["nodes", "nodes"]  # coloured nodes and edges, no text
    assert [levels[z] for z in (0.7, 1.0)] == ["numbers", "numbers"]


def test_an_eps_alone_keeps_its_name_where_the_small_eps_cannot_be_read(open_window):
    w = open_window("stacked-lstm")
    graph = w.graph
    w.session.view.set_view("backward")
    w.session.playback.set_playhead(Playhead.at(Phase.SYNC, 10, 10))  # phase 2: the h nodes show ε, not yet δ
    eps = w.session.document.trace["l0/eps_h"][3, 0]
    graph.zoom(1.0 / graph.transform().m11())
    h = graph.nodes[(0, "h", 4)]
    assert h.eps_alone and np.isclose(number(h.text), eps, rtol=0.05)  # the small ε in its corner
    graph.zoom(0.66 / graph.transform().m11())  # numbers 8.6 px, the small ε 7.3 px
    h = graph.nodes[(0, "h", 4)]
    assert not graph.heat and not h.eps_alone and h.text.startswith("ε") and np.isclose(number(h.text[1:]), eps,
                                                                                          rtol=0.05)
    graph.zoom(0.5 / graph.transform().m11())
    assert not graph.heat and graph.nodes[(0, "h", 4)].text == "" and graph.nodes[(0, "h", 4)].isVisible()


def test_without_text_the_layers_keep_their_names_at_the_left_edge(open_window):
    w = open_window("stacked-lstm")
    graph = w.graph
    ink = style.THEMES["light"]["layer_text"]

    def title_pixels() -> int:
        graph.viewport().repaint()
        image = graph.viewport().grab().toImage()
        return sum(image.pixelColor(x, y).name() == ink for x in range(0, 260) for y in range(image.height()))
    graph.zoom(0.5 / graph.transform().m11())  # coloured nodes and edges, no text
    assert not graph.heat and not graph.texts[0] and not any(t.isVisible() for t in graph.band_titles)
    assert title_pixels() > 40  # "layer 1 · LSTM · H = 3" and "layer 0 · …" at the viewport's left
    graph.horizontalScrollBar().setValue(graph.horizontalScrollBar().maximum())
    assert title_pixels() > 40  # still there after a pan
    graph.zoom(0.3 / graph.transform().m11())  # the heat strip: the names in the gaps above the layers' rows
    assert graph.heat and title_pixels() > 40
