"""Items only for what is on screen: the graph's nodes and edges are made in blocks of ``BLOCK`` steps,
for the blocks the viewport shows and one on either side, and dropped when the view moves on. Far out
(the heat strip) no block is made, and those made stay, hidden, for a zoom back in. So the scene holds
a few thousand items whatever T is."""
from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsItem

from ...model.graph_layout import PAD
from .items import EdgeItem, NodeItem

if TYPE_CHECKING:
    from .view import GraphView

BLOCK = 16  # steps per block
HOLDER_PAD = 12  # a node's thick border and a wide edge reach this far beyond the block's columns
MARGIN = 1  # blocks made beyond each side of the viewport, so that a short pan finds its items ready


class Blocks:
    def __init__(self, view: GraphView):
        self.view = view
        self.made: dict[int, tuple[QGraphicsItem, list[NodeItem], list[EdgeItem]]] = {}
        self.active = False  # set once the view's model and layout are in place

    def block_of(self, t: int) -> int:
        return (t - 1) // BLOCK

    def wanted(self, margin: int = MARGIN) -> set[int]:
        """The blocks the viewport shows, with ``margin`` more on either side. Far out (the heat strip) no new
        block, but those made stay, hidden, for a zoom back in."""
        v = self.view
        if v.far_out():
            return set(self.made)
        shown = v.mapToScene(v.viewport().rect()).boundingRect()
        layout = v.layout
        first = max(1, math.floor((shown.left() - PAD) / layout.column_w) + 1)
        last = min(layout.steps, math.ceil((shown.right() - PAD) / layout.column_w) + 1)
        if last < first:
            return set()
        top = self.block_of(layout.steps)
        return set(range(max(0, self.block_of(first) - margin), min(top, self.block_of(last) + margin) + 1))

    def update(self) -> None:
        """Make the blocks now wanted; drop those a block further out (a pan to and fro does not remake them)."""
        if not self.active:
            return
        for b in set(self.made) - self.wanted(MARGIN + 1):
            self.drop(b)
        for b in sorted(self.wanted() - set(self.made)):
            self.make(b)

    @contextmanager
    def all_made(self) -> Iterator[None]:
        """Every block for a while (a picture of the whole graph); then only those there before."""
        before = set(self.made)
        for b in range(self.block_of(self.view.layout.steps) + 1):
            self.make(b)
        try:
            yield
        finally:
            for b in set(self.made) - before:
                self.drop(b)

    def make(self, b: int) -> None:
        if b in self.made:
            return
        v = self.view
        scene, layout, model = v.scene(), v.layout, v.model
        steps = range(b * BLOCK + 1, min(layout.steps, (b + 1) * BLOCK) + 1)
        nodes, edges = [], []
        left = layout.column_left(max(1, steps[0] - 1))  # edges from the step before the block start there
        holder = _Holder(QRectF(left - HOLDER_PAD, 0, layout.column_span(steps[-1])[1] - left + 2 * HOLDER_PAD,
                                layout.height))
        for lane in model.lanes:
            for t in steps:
                item = NodeItem(lane, t, v)
                item.setPos(*layout.node_xy(lane, t))
                v.state_node(item)
                item.setParentItem(holder)
                v.nodes[(lane.layer, lane.var, t)] = item
                nodes.append(item)
        for edge in model.edges:
            src, dst = model.lane(*edge.src), model.lane(*edge.dst)
            for t in steps:
                if t > edge.lag:
                    item = EdgeItem(edge, t, QPointF(*layout.node_xy(src, t - edge.lag)),
                                    QPointF(*layout.node_xy(dst, t)), v)
                    item.setParentItem(holder)
                    edges.append(item)
        v.edges.extend(edges)
        v.edge_styles.apply(edges)
        holder.setVisible(not v.heat)
        scene.addItem(holder)
        self.made[b] = (holder, nodes, edges)

    def show(self, on: bool) -> None:
        """Show or hide every block's items (hidden behind the heat strip)."""
        for holder, _, _ in self.made.values():
            holder.setVisible(on)

    def drop(self, b: int) -> None:
        v = self.view
        holder, nodes, edges = self.made.pop(b)
        v.scene().removeItem(holder)
        for item in nodes:
            del v.nodes[(item.lane.layer, item.lane.var, item.t)]
        gone = set(map(id, edges))
        v.edges[:] = [e for e in v.edges if id(e) not in gone]



class _Holder(QGraphicsItem):
    """The parent of a block's items, one item to add and remove; draws nothing itself. Its rectangle holds
    all of the block's items, so that Qt looks at none of them when the rectangle is off screen."""

    def __init__(self, rect: QRectF):
        super().__init__()
        self.rect = rect
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemContainsChildrenInShape)

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, p, option, widget=None) -> None:
        pass
