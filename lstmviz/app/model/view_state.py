"""What the user looks at (Qt-free): the selected node or weight entry, the drawn unit, values or δ."""
from __future__ import annotations

from psygnal import Signal

from ...core.edits import editable
from .document import Document
from .graph_model import watch_index
from .quantities import NodeRef, layer_vars, unit_of

VIEWS = ("forward", "backward")


class ViewState:
    selection_changed = Signal()  # a node or a weight entry selected (or nothing)
    view_changed = Signal()       # forward/backward view, or the drawn unit

    def __init__(self, document: Document):
        self.document = document
        self.view = "forward"
        self.unit = 0
        self.reset()
        document.structure_changed.connect(self._on_structure_change, priority=10)

    def reset(self) -> None:
        """A new document: nothing selected, the unit kept where the model has it. Emits nothing."""
        self.selection: NodeRef | None = None
        self.selected_weight: tuple[str, tuple[int, ...]] | None = None
        self.unit = min(self.unit, self.max_units - 1)

    def announce(self) -> None:
        self.selection_changed.emit()
        self.view_changed.emit()

    @property
    def max_units(self) -> int:
        return max(layer.hidden_size for layer in self.document.scenario.model.layers)

    def drawn_unit(self, layer: int | None) -> int:
        """The unit the graph draws for a layer (layers may be narrower than the widest); 0 for the head."""
        return unit_of(self.document.scenario.model, layer, self.unit)

    # -- changes -----------------------------------------------------------------------------------------
    def select(self, node: NodeRef | None) -> None:
        if node == self.selection and self.selected_weight is None:
            return
        self.selection, self.selected_weight = node, None
        if node is not None and node.layer is not None and node.unit != self.drawn_unit(node.layer):
            self.unit = node.unit  # a node of another unit (a term's link): draw that unit
            self.view_changed.emit()
        self.selection_changed.emit()

    def select_weight(self, key: str, index: tuple[int, ...]) -> None:
        self.selected_weight = (key, tuple(index))
        self.selection_changed.emit()

    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}")
        if view != self.view:
            self.view = view
            self.view_changed.emit()

    def set_unit(self, unit: int) -> None:
        if unit == self.unit:
            return
        self.unit = unit
        sel = self.selection
        if sel is not None and sel.layer is not None:
            self.selection = NodeRef(sel.layer, sel.var, sel.t, self.drawn_unit(sel.layer))
            self.selection_changed.emit()
        self.view_changed.emit()

    def _on_structure_change(self) -> None:
        """Layers or watches changed: drop a selection whose node or weight is gone."""
        sel, weight = self.selection, self.selected_weight
        scenario = self.document.scenario
        gone = sel is not None and (
            (watch_index(sel.var) is not None and watch_index(sel.var) >= len(scenario.watches))
            or (sel.layer is not None and sel.var not in layer_vars(scenario.model.layers[sel.layer])))
        weight_gone = weight is not None and weight[0] not in editable(scenario)
        if gone or weight_gone:
            self.selection = None if gone else sel
            self.selected_weight = None if weight_gone else weight
            self.selection_changed.emit()
