"""An edit retraces every watch without parsing it again (nor a check's target); the values still follow
the trace."""
import ast

import numpy as np

from lstmviz.app.model import Session
from lstmviz.app.model import watches as watches_module
from lstmviz.core.model import Watch
from lstmviz.io import load_scenario


def test_a_watch_and_its_check_are_parsed_once_however_many_edits(monkeypatch):
    parsed = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *a, **k: parsed.append(source) or real(source, *a, **k))
    s = Session(load_scenario("calculator-lstm"))
    expression = "c[t] * 0.5 + 0.125"  # not used by another test: not in the cache yet
    checked = "f[t] * c[t-1] + i[t] * g[t] + 0.0 * 7"  # a check of the cell update, against c
    s.document.set_watches([Watch(expression), Watch(checked, equals="c")], "two watches")
    parsed.clear()
    for value in (0.5, 1.5, 0.25):
        s.document.set_entry("l0/b_g", (0,), value)
        c = s.document.trace["l0/c"][:, 0]
        np.testing.assert_allclose(s.document.watches.series(0), c * 0.5 + 0.125)
        assert s.document.watches[1].check.agree
    assert parsed == []
    assert s.document.watches[0].needs == watches_module.needs(expression)
