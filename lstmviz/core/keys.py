"""Slash keys, parsed in one place.

Parameters and editable arrays are addressed as ``l0/W_i``, ``l1/h0``, ``head/W_y``, ``data/x``;
trace quantities as ``x``, ``l0/delta_c``, ``grad/l0/U_f``. A :class:`Key` splits such a text into its
scope (``l0``, ``head``, ``data`` or none), its name (``W_i``) and, for gradients, the ``grad/`` mark;
a parameter name splits further into its kind (``W``, ``U``, ``b``, ``p``) and gate (``i``, or ""); an RNN's
tap ``U_2`` (on h[t−2]) has kind ``U``, no gate and delay 2.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_LAYER = re.compile(r"^l(\d+)$")
GRAD = "grad/"


@dataclass(frozen=True)
class Key:
    scope: str       # "l0", "head", "data" or "" (trace keys such as "x", "loss")
    name: str        # "W_i", "h0", "delta_c"
    grad: bool = False

    @classmethod
    def parse(cls, text: str) -> Key:
        grad = text.startswith(GRAD)
        body = text[len(GRAD):] if grad else text
        scope, _, name = body.rpartition("/")
        return cls(scope, name, grad)

    def __str__(self) -> str:
        body = f"{self.scope}/{self.name}" if self.scope else self.name
        return GRAD + body if self.grad else body

    @property
    def layer(self) -> int | None:
        """The layer number of an ``l{n}/…`` key, None for the head, the data and global keys."""
        m = _LAYER.match(self.scope)
        return int(m.group(1)) if m else None

    @property
    def is_head(self) -> bool:
        return self.scope == "head"

    @property
    def is_data(self) -> bool:
        return self.scope == "data"

    @property
    def kind(self) -> str:
        """``W`` of ``W_i``, ``U`` of ``U``, ``delta`` of ``delta_c``."""
        return self.name.partition("_")[0]

    @property
    def gate(self) -> str:
        """``i`` of ``W_i``; "" for an ungated name (an RNN's ``W`` or tap ``U_2``; ``b_y``'s ``y`` aside)."""
        suffix = self.name.partition("_")[2]
        return "" if suffix.isdigit() else suffix

    @property
    def delay(self) -> int | None:
        """The delay d of a recurrent matrix, which multiplies h[t−d]: 1 for ``U`` and ``U_f``, 2 for an RNN
        tap ``U_2``; None for any other name."""
        if self.kind != "U":
            return None
        suffix = self.name.partition("_")[2]
        return int(suffix) if suffix.isdigit() else 1

    def gradient(self) -> Key:
        return Key(self.scope, self.name, grad=True)
