"""The first disagreement is the earliest in computation order: random subsets of the trace with one
or two entries changed (hypothesis), on a two-layer LSTM with a linear head.

The order, written out here by hand from docs/check-arrays.md: forward values (steps 1 … T, layers
bottom-up), then ε (steps 1 … T, layers top-down), then δ (steps T … 1, layers top-down), then the
weight gradients, then dx (steps T … 1)."""
import numpy as np
from fuzzing import fuzz
from helpers import lstm, random_scenario
from hypothesis import given
from hypothesis import strategies as st

from lstmviz.core import compute
from lstmviz.io.errors import ScenarioError
from lstmviz.io.yours import AGREES, DIFFERS, check_arrays

SCENARIO = random_scenario([lstm(2, 3), lstm(3, 2)], T=5, K=2, seed=11)
TRACE = compute(SCENARIO)
KEYS = sorted(TRACE.arrays)
STEPS = {k for k, v in TRACE.arrays.items() if k not in ("loss",) and not k.startswith("grad/")
         and not k.endswith(("/h0", "/c0"))}


def stage(key: str) -> int:
    """0 forward, 1 ε, 2 δ, 3 weight gradients, 4 dx."""
    if key.startswith("grad/"):
        return 3
    if key == "dx":
        return 4
    name = key.rpartition("/")[2]
    return 1 if name.startswith("eps_") else 2 if name.startswith("delta_") else 0


def layer(key: str):
    scope = key.removeprefix("grad/").rpartition("/")[0]
    return int(scope[1:]) if scope.startswith("l") else None


@st.composite
def entries(draw, count):
    """``count`` distinct (key, flat index) pairs and a subset of keys holding them."""
    entry = st.sampled_from(KEYS).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, TRACE[k].size - 1)))
    picked = draw(st.lists(entry, min_size=count, max_size=count, unique=True))
    others = draw(st.lists(st.sampled_from(KEYS), max_size=12))
    return picked, sorted({k for k, _ in picked} | set(others))


def changed(picked, subset):
    arrays = {k: TRACE[k].copy() for k in subset}
    for key, flat in picked:
        a = arrays[key].reshape(-1)
        a[flat] += 1.0 + abs(a[flat])
    return arrays


def where(key, flat):
    """(step or None, index within the step) of a flat entry, as the report gives them."""
    shape = TRACE[key].shape
    index = tuple(int(i) for i in np.unravel_index(flat, shape))
    return (index[0] + 1, index[1:]) if key in STEPS else (None, index)


@fuzz(60)
@given(entries(1))
def test_one_changed_entry_is_the_first_disagreement(case):
    (key, flat), subset = case[0][0], case[1]
    report = check_arrays(SCENARIO, changed(*case), trace=TRACE)
    d = report.first
    assert (d.key, d.array, (d.step, d.index)) == (key, key, where(key, flat))
    assert d.engine == TRACE[key].reshape(-1)[flat] and d.differing == 1
    assert {v.array: v.status for v in report.verdicts if v.array in subset} == \
        {k: DIFFERS if k == key else AGREES for k in subset}


def earlier(a, b):
    """Whether entry a comes before entry b in the walk, where the rules above decide it; None if not."""
    (ka, fa), (kb, fb) = a, b
    if stage(ka) != stage(kb):
        return stage(ka) < stage(kb)
    (sa, _), (sb, _) = where(ka, fa), where(kb, fb)
    if stage(ka) in (0, 1, 2, 4) and ka in STEPS and kb in STEPS and sa != sb:
        return sa < sb if stage(ka) in (0, 1) else sa > sb
    if stage(ka) in (0, 1, 2) and ka in STEPS and kb in STEPS and None not in (layer(ka), layer(kb)) \
            and layer(ka) != layer(kb):
        return layer(ka) < layer(kb) if stage(ka) == 0 else layer(ka) > layer(kb)
    if ka == kb:
        return None if ka in STEPS else fa < fb
    return None


@fuzz(80)
@given(entries(2))
def test_of_two_changed_entries_the_earlier_in_computation_order_is_first(case):
    a, b = case[0]
    d = check_arrays(SCENARIO, changed(*case), trace=TRACE).first
    first = (d.key, (d.step, d.index))
    assert first in ((a[0], where(*a)), (b[0], where(*b)))
    before = earlier(a, b)
    if before is not None:
        winner = a if before else b
        assert first == (winner[0], where(*winner))


BY_STAGE = [[k for k in sorted(STEPS) if stage(k) == s] for s in (0, 1, 2, 4)]


@st.composite
def same_stage(draw):
    """Two entries of per-step quantities of one stage (forward, ε, δ or dx), at any steps and layers."""
    keys = draw(st.sampled_from(BY_STAGE))
    entry = st.sampled_from(keys).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, TRACE[k].size - 1)))
    picked = draw(st.lists(entry, min_size=2, max_size=2, unique=True))
    return picked, sorted({k for k, _ in picked})


@fuzz(80)
@given(same_stage())
def test_within_a_stage_steps_run_forwards_or_backwards_and_layers_up_or_down(case):
    a, b = case[0]
    d = check_arrays(SCENARIO, changed(*case), trace=TRACE).first
    before = earlier(a, b)
    if before is not None:
        winner = a if before else b
        assert (d.key, (d.step, d.index)) == (winner[0], where(*winner))
    else:
        assert (d.key, (d.step, d.index)) in ((a[0], where(*a)), (b[0], where(*b)))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True)
    | st.sampled_from(["l0/delta_c", "l0/a_*", "grad/l0/W_*", "ifgo", "ifog", "x", "*", "", "l9/h", "pytorch"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["key", "gates", "transpose", "time_offset", "batch_axis", "compare", "layout", "arrays",
                         "dc", "x"]), inner, max_size=4),
    max_leaves=10)


@fuzz(150)
@given(_JSON, st.sampled_from(["dc", "x", "l0/delta_c"]), st.integers(0, 3))
def test_any_mapping_is_used_or_refused_in_one_line(mapping, name, ndim):
    """Hostile mappings (any JSON shape) and arrays of any rank: a report, or a one-line ScenarioError."""
    scenario = random_scenario([lstm(2, 3)], T=4, K=1, seed=1)
    array = np.ones((4, 3, 1)[:ndim])
    try:
        report = check_arrays(scenario, {name: array}, mapping if isinstance(mapping, dict) else {"arrays": mapping})
    except ScenarioError as e:
        assert "\n" not in str(e) and str(e).startswith(("mapping", "arrays"))
    else:
        assert str(report).splitlines()[0]
