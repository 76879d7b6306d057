"""Keys and phases are parsed in one place each."""
import pytest

from lstmviz.core.keys import Key
from lstmviz.core.model import GATES, gate_block
from lstmviz.core.phases import Phase


@pytest.mark.parametrize("text,scope,name,layer,kind,gate,grad", [
    ("l0/W_i", "l0", "W_i", 0, "W", "i", False),
    ("l12/U", "l12", "U", 12, "U", "", False),
    ("head/b_y", "head", "b_y", None, "b", "y", False),
    ("data/mask", "data", "mask", None, "mask", "", False),
    ("grad/l1/p_o", "l1", "p_o", 1, "p", "o", True),
    ("loss_t", "", "loss_t", None, "loss", "t", False),
    ("l0/delta_a_f", "l0", "delta_a_f", 0, "delta", "a_f", False),
])
def test_keys_split_and_join_back(text, scope, name, layer, kind, gate, grad):
    k = Key.parse(text)
    assert (k.scope, k.name, k.layer, k.kind, k.gate, k.grad) == (scope, name, layer, kind, gate, grad)
    assert str(k) == text
    assert k.is_head == (scope == "head") and k.is_data == (scope == "data")


def test_a_gradient_key_names_its_parameter():
    assert str(Key.parse("l0/W_i").gradient()) == "grad/l0/W_i"


def test_gate_blocks_follow_the_gate_order():
    H = 3
    assert GATES == ("i", "f", "o", "g")
    assert [gate_block(H, g) for g in GATES] == [slice(0, 3), slice(3, 6), slice(6, 9), slice(9, 12)]
    assert gate_block(H, "i", "o") == slice(0, 9) and gate_block(H, "i", "f") == slice(0, 6)


def test_phases_parse_from_numbers_and_words():
    assert [p.key for p in Phase] == ["forward", "sync", "bptt", "grad", "descent"]
    assert Phase.parse("3") is Phase.BPTT and Phase.parse(" Grad ") is Phase.GRAD and Phase.parse(5) is Phase.DESCENT
    for bad in ("0", "6", "12", "backward", ""):
        with pytest.raises(ValueError, match="unknown phase"):
            Phase.parse(bad)
