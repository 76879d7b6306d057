"""Items only for what is on screen: the graph's nodes and edges are made in blocks of ``BLOCK`` steps,
for the blocks the viewport shows and one on either side, and dropped when the view moves on. In idle
time (a zero timer after each move) the block one further out on either side is made too, a slice of
at most ``SLICE_S`` at a time, so that a pan finds its next block ready and no frame pays for making
one. Far out (the heat strip) no block is made, and those made stay, hidden, for a zoom back in. So
the scene holds a few thousand items whatever T is.

New numbers or a new playhead reach only the nodes in the columns on screen (:meth:`Blocks.restate`); the
others (blocks marked stale, or a block's ``missed`` nodes) catch up when they come on screen, or when
one of their nodes is looked up. Each block's nodes are painted by one item in one paint() call
(:class:`.items.NodesPainter`)."""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtWidgets import QGraphicsItem

from ...model.graph_layout import PAD
from .items import EdgeItem, NodeItem, NodesPainter, repaint_nodes

if TYPE_CHECKING:
    from .view import GraphView

BLOCK = 16  # steps per block
SLICE_S = 0.008  # an idle pre-build works this long at a time, so that it holds up no frame of a pan
HOLDER_PAD = 12  # a node's thick border and a wide edge reach this far beyond the block's columns
MARGIN = 1  # blocks made beyond each side of the viewport, so that a short pan finds its items ready


class Blocks:
    def __init__(self, view: GraphView):
        self.view = view
        self.made: dict[int, tuple[QGraphicsItem, list[NodeItem], list[EdgeItem]]] = {}
        self.stale: set[int] = set()  # made blocks whose nodes missed the latest numbers or playhead
        self.missed: dict[int, list[NodeItem]] = {}  # blocks on screen: their nodes in the columns off screen
        self.active = False  # set once the view's model and layout are in place
        self.building: dict[int, Iterator[None]] = {}  # blocks an idle pre-build has begun
        self._scheduled = False

    def block_of(self, t: int) -> int:
        return (t - 1) // BLOCK

    def wanted(self, margin: int = MARGIN) -> set[int]:
        """The blocks the viewport shows, with ``margin`` more on either side. Far out (the heat strip) no new
        block, but those made stay, hidden, for a zoom back in."""
        if self.view.far_out():
            return set(self.made)
        first, last = self.shown_steps()
        if last < first:
            return set()
        top = self.block_of(self.view.layout.steps)
        return set(range(max(0, self.block_of(first) - margin), min(top, self.block_of(last) + margin) + 1))

    def shown_steps(self) -> tuple[int, int]:
        """The first and last step whose column the viewport shows, in part or whole."""
        v = self.view
        shown = v.mapToScene(v.viewport().rect()).boundingRect()
        layout = v.layout
        first = max(1, math.floor((shown.left() - PAD) / layout.column_w) + 1)
        return first, min(layout.steps, math.ceil((shown.right() - PAD) / layout.column_w) + 1)

    def update(self) -> None:
        """Make the blocks now wanted; drop those a block further out (a pan to and fro does not remake them)."""
        if not self.active:
            return
        for b in set(self.made) - self.wanted(MARGIN + 2):
            self.drop(b)
        for b in sorted(self.wanted() - set(self.made)):
            self.make(b)
        if self.wanted(MARGIN + 1) - set(self.made):
            self._schedule()
        for b in self.on_screen() & (self.stale | set(self.missed)):
            self.freshen(b)

    def on_screen(self) -> set[int]:
        """The made blocks the viewport shows (none far out, where the heat strip stands for them)."""
        if self.view.heat or not self.made:
            return set()
        return self.wanted(0) & set(self.made)

    def restate(self, apply: Callable[[list[NodeItem]], None]) -> None:
        """``apply(nodes)`` to the nodes in the columns on screen, a lane at a time, repainting those whose look
        changed. The other nodes miss it: off screen their blocks are marked stale, on screen their block's
        ``missed`` list holds them; either is told everything when it comes on screen (:meth:`freshen`,
        :meth:`GraphView.state_nodes`)."""
        shown = self.on_screen()
        first, last = self.shown_steps()
        changed: list[NodeItem] = []
        for b in shown:
            nodes = self.made[b][1]
            behind = b in self.stale or b in self.missed  # told everything, not only what ``apply`` sets
            missed = [item for item in nodes if not first <= item.t <= last]
            if missed:
                nodes = [item for item in nodes if first <= item.t <= last]
                self.missed[b] = missed
            else:
                self.missed.pop(b, None)
            changed += self._restate(nodes, self.view.state_nodes if behind else apply)
        self.stale = set(self.made) - shown
        for b in self.stale:
            self.missed.pop(b, None)  # the whole block is behind
        repaint_nodes(self.view, changed)

    def freshen(self, b: int) -> None:
        """A stale block's nodes (or those it missed on screen) told everything they show now."""
        if b in self.stale:
            self.stale.discard(b)
            self.missed.pop(b, None)
            nodes = self.made[b][1]
        elif b in self.missed:
            nodes = self.missed.pop(b)
        else:
            return
        repaint_nodes(self.view, self._restate(nodes, self.view.state_nodes))

    @contextmanager
    def all_made(self) -> Iterator[None]:
        """Every block for a while (a picture of the whole graph); then only those there before."""
        before = set(self.made)
        for b in range(self.block_of(self.view.layout.steps) + 1):
            self.make(b)
            self.freshen(b)
        try:
            yield
        finally:
            for b in set(self.made) - before:
                self.drop(b)

    def make(self, b: int) -> None:
        """Block ``b``'s items now (what an idle pre-build has made of it so far is kept)."""
        if b in self.made:
            return
        for _ in self.building.pop(b, None) or self._build(b):
            pass

    def _build(self, b: int) -> Iterator[None]:
        """Make block ``b``'s items a lane or an edge at a time, pausing (a ``yield``) after each, and put
        them in the scene at the end. Nodes made before the numbers, the playhead or a mark changed are
        told the new state at the end."""
        v = self.view
        layout, model = v.layout, v.model
        steps = range(b * BLOCK + 1, min(layout.steps, (b + 1) * BLOCK) + 1)
        state = _state(v)
        nodes, edges = [], []
        left = layout.column_left(max(1, steps[0] - 1))  # edges from the step before the block start there
        holder = _Holder(QRectF(left - HOLDER_PAD, 0, layout.column_span(steps[-1])[1] - left + 2 * HOLDER_PAD,
                                layout.height), nodes)
        dx = layout.column_w
        for lane in model.lanes:
            x0, y = layout.node_xy(lane, steps[0])
            row = [NodeItem(lane, t, v, (x0 + k * dx, y)) for k, t in enumerate(steps)]
            v.state_nodes(row)
            self.mark(row)
            for item in row:
                item.setParentItem(holder)
            nodes += row
            yield
        for edge in model.edges:
            src, dst = model.lane(*edge.src), model.lane(*edge.dst)
            first = max(steps[0], edge.lag + 1)
            (sx, sy), (tx, ty) = layout.node_xy(src, first - edge.lag), layout.node_xy(dst, first)
            for k in range(steps[-1] - first + 1):
                item = EdgeItem(edge, first + k, QPointF(sx + k * dx, sy), QPointF(tx + k * dx, ty), v)
                item.setParentItem(holder)
                edges.append(item)
            yield
        if not _same(state, _state(v)):
            for row in by_lane(nodes):
                v.state_nodes(row)
            self.mark(nodes)
        for item in nodes:
            v.nodes[(item.lane.layer, item.lane.var, item.t)] = item
        v.edges.extend(edges)
        v.edge_styles.apply(edges)
        holder.setVisible(not v.heat)
        v.scene().addItem(holder)
        self.made[b] = (holder, nodes, edges)

    def _prebuild(self) -> None:
        """On the event loop's idle turn: make the blocks a pan reaches next (one further out than
        :meth:`update` makes them), nearest first, for at most ``SLICE_S`` seconds a turn."""
        self._scheduled = False
        if self.view.blocks is not self or not self.active:
            return  # a rebuild has replaced this table
        shown = self.wanted(0)
        todo = sorted(self.wanted(MARGIN + 1) - set(self.made),
                      key=lambda b: min((abs(b - s) for s in shown), default=0))
        for b in set(self.building) - set(todo):
            del self.building[b]  # the view has moved away from it
        deadline = time.perf_counter() + SLICE_S
        for b in todo:
            if b not in self.building:
                self.building[b] = self._build(b)
            for _ in self.building[b]:
                if time.perf_counter() > deadline:
                    self._schedule()
                    return
            del self.building[b]

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self.view, self._prebuild)  # never after the view is gone

    def show(self, on: bool) -> None:
        """Show or hide every block's items (hidden behind the heat strip)."""
        for holder, _, _ in self.made.values():
            holder.setVisible(on)

    def drop(self, b: int) -> None:
        v = self.view
        holder, nodes, edges = self.made.pop(b)
        self.stale.discard(b)
        self.missed.pop(b, None)
        v.scene().removeItem(holder)
        for item in nodes:
            del v.nodes[(item.lane.layer, item.lane.var, item.t)]
        gone = set(map(id, edges))
        v.edges[:] = [e for e in v.edges if id(e) not in gone]


    def _restate(self, nodes: list[NodeItem], apply: Callable[[list[NodeItem]], None]) -> list[NodeItem]:
        """Apply the new state (a lane at a time) and their arrays' marks; the nodes whose look changed (to be
        repainted)."""
        before = [item.look() for item in nodes]
        for row in by_lane(nodes):
            apply(row)
        self.mark(nodes)
        return [item for item, look in zip(nodes, before, strict=True) if item.look() != look]

    def mark(self, nodes: list[NodeItem]) -> None:
        """Whether their arrays (Check my arrays) differ at these nodes: outlined, emphasised at the first."""
        marks = self.marks()
        for item in nodes:
            item.differs = marks.get((item.lane.layer, item.lane.var, item.t), 0) if marks else 0

    def marks(self) -> dict:
        """(layer, var, t) → 1 or 2 where their arrays differ at the drawn unit; empty without a check."""
        s = self.view.session
        return s.yours.marked(s.view.unit) if s.yours.on else _NO_MARKS


_NO_MARKS: dict = {}


def by_lane(nodes: list[NodeItem]) -> Iterator[list[NodeItem]]:
    """The nodes in runs of one lane each (a block makes its nodes a lane at a time)."""
    run: list[NodeItem] = []
    for item in nodes:
        if run and item.lane is not run[0].lane:
            yield run
            run = []
        run.append(item)
    if run:
        yield run


def _state(view: GraphView) -> tuple:
    """What a new node's look depends on: the numbers, the playhead's progress, the marked nodes."""
    return view.numbers, view.progress, view.selected_key, view.quiz_key, view.blocks.marks()


def _same(a: tuple, b: tuple) -> bool:
    return a[0] is b[0] and a[1] is b[1] and a[2:4] == b[2:4] and a[4] is b[4]


class _Holder(QGraphicsItem):
    """The parent of a block's items, one item to add and remove; draws nothing itself. Its rectangle holds
    all of the block's items, so that Qt looks at none of them when the rectangle is off screen. Its first
    child paints the block's nodes (:class:`.items.NodesPainter`): the edges (z < 0) lie under it, and the
    nodes' own items (made after it) paint nothing."""

    def __init__(self, rect: QRectF, nodes: list[NodeItem]):
        super().__init__()
        self.rect = rect
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemContainsChildrenInShape)
        self.painter = NodesPainter(rect, nodes)
        self.painter.setParentItem(self)

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, p, option, widget=None) -> None:
        pass
