"""An edit retraces every watch without parsing it again; the values still follow the trace."""
import numpy as np

from lstmviz.app.model import Session
from lstmviz.app.model import watches as watches_module
from lstmviz.core.model import Watch
from lstmviz.io import load_scenario


def test_a_watch_is_parsed_once_however_many_edits(monkeypatch):
    parsed = []
    real = watches_module.parse
    monkeypatch.setattr(watches_module, "parse", lambda text: parsed.append(text) or real(text))
    s = Session(load_scenario("calculator-lstm"))
    expression = "c[t] * 0.5 + 0.125"  # not used by another test: not in the cache yet
    s.document.set_watches([Watch(expression)], "a watch")
    for value in (0.5, 1.5, 0.25):
        s.document.set_entry("l0/b_g", (0,), value)
        np.testing.assert_allclose(s.document.watches.series(0), s.document.trace["l0/c"][:, 0] * 0.5 + 0.125)
    assert parsed.count(expression) == 1 and len(parsed) == len(set(parsed))  # each expression once at most
    assert s.document.watches[0].needs == watches_module.needs(expression)
