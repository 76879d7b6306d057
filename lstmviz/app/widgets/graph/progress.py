"""How far the playhead has got, per lane and step: what a node shows at the current phase and step."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ....core.phases import Phase
from ...model.lanes import GraphNumbers
from ...model.phases import Playhead, each_step

if TYPE_CHECKING:
    from .items import NodeItem


class Progress:
    """``done[lane]`` (T,): the value (forward view) or δ (backward view) computed; ``eps_done`` (T,): ε
    computed (phase 2 on); ``waiting[lane]``: what a node not computed yet says ("?", or what a watch needs)."""

    def __init__(self, playhead: Playhead, backward: bool, numbers: GraphNumbers):
        ph = playhead
        self.current = ph.current_t if ph.phase <= Phase.BPTT else None
        steps = np.arange(1, ph.T + 1)  # the playhead's rules asked once for every step (no loop over t)
        computed = each_step(ph.delta_visible if backward else ph.value_visible, steps)
        self.eps_done = each_step(ph.eps_visible, steps)
        self.done: dict[tuple[int | None, str], np.ndarray] = {}
        self.waiting: dict[tuple[int | None, str], str] = {}
        for key, shown in numbers.lanes.items():
            needs = shown.needs
            self.done[key] = computed if needs is None else each_step(lambda t, n=needs: ph.has(n, t), steps)
            self.waiting[key] = "?" if needs is None else needs.short

    def apply(self, items: list[NodeItem]) -> None:
        """The nodes' hatching, ε before δ (phase 2) or under it, the current column's border, and which of
        their texts can be read at the zoom; nodes of one lane."""
        lane = items[0].lane
        key = (lane.layer, lane.var)
        i = [item.t - 1 for item in items]
        done, eps_done = self.done[key][i].tolist(), self.eps_done[i].tolist()
        waiting, current = self.waiting[key], self.current
        view = items[0].view
        numbers, marks = view.texts
        room_for_eps = view.sizes.node_h >= view.sizes.number_px * 1.75  # δ above ε in one node
        for item, is_done, has_eps in zip(items, done, eps_done, strict=True):
            eps = item.eps if has_eps else None
            item.waiting = waiting
            item.current = current == item.t
            item.eps_alone = eps is not None and not is_done  # phase 2: ε, until δ arrives
            if item.eps_alone:
                item.future, item.fills, item.text, item.mark = False, [eps[0]], eps[1], ""
            else:
                item.future = item.has_value and not is_done
                item.fills, item.text = item.value_fills, item.value_text
                item.mark = f"ε {eps[1]}" if eps is not None and room_for_eps else ""
            item.kink = item.on_kink and not item.future
            if not (numbers and marks):
                _fit_texts(item, numbers, marks)


def _fit_texts(item: NodeItem, numbers: bool, marks: bool) -> None:
    """Only text that can be read at the zoom (:meth:`.Navigator.texts`): no ε mark under a number where it
    would be too small (an ε alone then goes before its number, in the number's font); no text at all where
    the numbers would be too small."""
    if not marks:
        item.mark = ""
        if item.eps_alone:
            item.eps_alone, item.text = False, f"ε{item.text}"
    if not numbers:
        item.text = item.waiting = item.mark = ""
        item.eps_alone = False
