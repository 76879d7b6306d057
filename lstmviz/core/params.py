"""A flat view of every parameter entry: names, offsets and shapes in canonical order."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .keys import Key
from .model import Model


@dataclass(frozen=True)
class ParamBlock:
    key: str            # "l0/W_i", "head/W_y"
    layer: int | None   # None for the head
    name: str
    shape: tuple[int, ...]
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.shape)  # Python ints: no overflow, and cheap (training asks often)


def param_blocks(model: Model, include_head: bool = True) -> list[ParamBlock]:
    blocks = []
    offset = 0
    for prefix, _, shapes in model.param_groups():
        if prefix == "head" and not include_head:
            continue
        for name, shape in shapes.items():
            key = Key(prefix, name)
            blocks.append(ParamBlock(str(key), key.layer, name, tuple(shape), offset))
            offset += blocks[-1].size
    return blocks


def param_array(model: Model, block: ParamBlock) -> np.ndarray:
    """The live array of a block (edits to it change the model)."""
    params = model.head.params if block.layer is None else model.layers[block.layer].params
    return params[block.name]


def index_label(block: ParamBlock, flat_index: int) -> str:
    """``l0/W_i[2, 0]`` for entry ``flat_index`` of the block."""
    idx = np.unravel_index(flat_index, block.shape)
    return f"{block.key}[{', '.join(str(int(i)) for i in idx)}]"
