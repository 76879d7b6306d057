"""Built-in array mappings: how PyTorch-, Keras- and Karpathy-style code names what it computed.

Each function gives their names → :class:`~.mapping.Spec` for a scenario (layer k, the top layer
being the last). Their weight arrays (the ones ``lstmviz weights export`` writes) are known but not
compared: they are inputs, not something their code computed. Every layout also reads trace keys
under their own names, so ``y_hat`` or ``loss`` can sit beside the layout's arrays. See
docs/check-arrays.md for the shapes.
"""
from __future__ import annotations

from ...core.model import GATES, Scenario
from ..weights import FOREIGN_ORDER, expected_members, export_data, standard_layers
from .mapping import Spec

OURS = "".join(GATES)            # i, f, o, g: Karpathy's IFOG columns are in lstmviz's own order
FOREIGN = "".join(FOREIGN_ORDER)  # i, f, g, o: PyTorch's rows and Keras's (i, f, c, o) columns
GRAD_SUFFIX = ".grad"


def pytorch(scenario: Scenario, source: str) -> dict[str, Spec]:
    """``torch.nn.LSTM`` with B = 1: the weights' gradients as ``<parameter>.grad`` (both bias
    gradients equal dE/db), ``output`` (T, 1, H) the top layer's h."""
    standard_layers(scenario, "pytorch", source)
    specs = _weights(scenario, "pytorch")
    for k in range(len(scenario.model.layers)):
        specs.update({f"weight_ih_l{k}.grad": Spec((f"grad/l{k}/W_*",), FOREIGN),
                      f"weight_hh_l{k}.grad": Spec((f"grad/l{k}/U_*",), FOREIGN),
                      f"bias_ih_l{k}.grad": Spec((f"grad/l{k}/b_*",), FOREIGN),
                      f"bias_hh_l{k}.grad": Spec((f"grad/l{k}/b_*",), FOREIGN)})
    if scenario.model.head.type == "linear":
        specs.update({"head.weight.grad": Spec(("grad/head/W_y",)), "head.bias.grad": Spec(("grad/head/b_y",))})
    specs["output"] = Spec((f"l{len(scenario.model.layers) - 1}/h",), batch_axis=1)
    return specs


def keras(scenario: Scenario, source: str) -> dict[str, Spec]:
    """A Keras ``LSTM`` (return_sequences=True) with a batch of one: the weights' gradients as
    ``<weight>.grad`` ((D, 4H) columns i, f, c, o), ``output`` (1, T, H) the top layer's h."""
    standard_layers(scenario, "keras", source)
    specs = _weights(scenario, "keras")
    for k in range(len(scenario.model.layers)):
        specs.update({f"layer{k}/kernel.grad": Spec((f"grad/l{k}/W_*",), FOREIGN, transpose=True),
                      f"layer{k}/recurrent_kernel.grad": Spec((f"grad/l{k}/U_*",), FOREIGN, transpose=True),
                      f"layer{k}/bias.grad": Spec((f"grad/l{k}/b_*",), FOREIGN)})
    if scenario.model.head.type == "linear":
        specs.update({"dense/kernel.grad": Spec(("grad/head/W_y",), transpose=True),
                      "dense/bias.grad": Spec(("grad/head/b_y",))})
    specs["output"] = Spec((f"l{len(scenario.model.layers) - 1}/h",), batch_axis=0)
    return specs


def karpathy(scenario: Scenario, source: str) -> dict[str, Spec]:
    """Karpathy's batched NumPy LSTM (gist 587454dc0146a6ae21fc) with B = 1: its cache and backward
    arrays, (T, 1, ·) per step; layer k ≥ 1 adds ``_l{k}`` to every name. ``WLSTM`` (1 + D + H, 4H) is
    [b; Wᵀ; Uᵀ] with gate columns i, f, o, g; ``dHout_in`` is ε_h (the gradient handed to backward),
    ``dHout`` the total δh it accumulates; ``Hin``, ``Ct`` and ``dHin`` repeat other arrays, and
    ``dh0``, ``dc0`` (and ``dX`` of a layer above the first) have no trace key: they are known but not
    compared."""
    standard_layers(scenario, "karpathy", source)
    specs: dict[str, Spec] = {}
    for k in range(len(scenario.model.layers)):
        s, p = ("" if k == 0 else f"_l{k}"), f"l{k}/"
        per_step = {"IFOG": p + "a_*", "IFOGf": p + "*", "C": p + "c", "Hout": p + "h", "dHout_in": p + "eps_h",
                    "dHout": p + "delta_h", "dC": p + "delta_c", "dIFOGf": p + "delta_*", "dIFOG": p + "delta_a_*"}
        specs.update({name + s: Spec((key,), batch_axis=1) for name, key in per_step.items()})
        specs.update({"c0" + s: Spec((p + "c0",), batch_axis=0), "h0" + s: Spec((p + "h0",), batch_axis=0),
                      "dWLSTM" + s: Spec((f"grad/{p}b_*", f"grad/{p}W_*", f"grad/{p}U_*"), transpose=True)})
        specs.update({name + s: Spec(compare=False) for name in ("WLSTM", "Hin", "Ct", "dHin", "dh0", "dc0")})
        specs["dX" + s] = Spec(("dx",), batch_axis=1) if k == 0 else Spec(compare=False)  # above: into h below
    return specs


def data_only(trace) -> dict[str, Spec]:
    """The names of ``weights export --data`` (io.weights.export_data) that have no trace key, such as
    the targets ``y`` and the ``mask``: known in every mapping, listed, not compared (they are inputs)."""
    return {name: Spec(compare=False) for name in export_data(trace.scenario) if name not in trace}


def _weights(scenario: Scenario, layout: str) -> dict[str, Spec]:
    return {name: Spec(compare=False) for name in expected_members(scenario, layout)}


LAYOUTS = {"pytorch": pytorch, "keras": keras, "karpathy": karpathy}
