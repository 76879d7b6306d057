"""The engine, the file formats, the watches and the application model must work with Qt absent."""
import subprocess
import sys
import textwrap

BLOCK_QT = textwrap.dedent("""
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6"):
                raise ImportError(f"Qt is blocked in this test: {name}")
    sys.meta_path.insert(0, Block())
""")


def test_core_and_io_import_and_compute_with_qt_blocked():
    code = BLOCK_QT + textwrap.dedent("""
        import lstmviz, lstmviz.core, lstmviz.io, lstmviz.cli
        from lstmviz.core import compute, gradcheck
        trace = compute(lstmviz.io.load_scenario("calculator-lstm"))
        assert trace.loss == 0.0
        qt = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")]
        assert not qt, qt
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_the_application_model_works_with_qt_blocked():
    code = BLOCK_QT + textwrap.dedent("""
        from lstmviz.app.model import NodeRef, Session
        from lstmviz.app.model.equations import explain
        from lstmviz.app.model.graph_model import GraphModel
        from lstmviz.app.model.lanes import graph_numbers
        from lstmviz.io import load_scenario
        s = Session(load_scenario("calculator-lstm"))
        s.document.set_entry("l0/b_i", (0,), 0.9)
        assert abs(s.document.trace.loss - 0.125) < 1e-12 and s.document.dirty
        assert "δc[5]·f[5]" in explain(s.document.trace, NodeRef(0, "c", 4, 0)).delta_equation
        numbers = graph_numbers(GraphModel(s.document.scenario.model, 1), s.document, s.view, s.comparison)
        assert numbers.scale == 4.0 and numbers.lanes[(None, "watch:0")].values.shape == (8,)
        s.history.undo()
        assert s.document.trace.loss == 0.0 and not s.document.dirty
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_the_blocker_really_blocks():
    code = ("import sys\nclass B:\n def find_spec(self, n, p=None, t=None):\n"
            "  if n.startswith('PySide6'): raise ImportError('blocked')\n"
            "sys.meta_path.insert(0, B())\nimport lstmviz.app.window\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "blocked" in run.stderr


def test_glibc_tuning_applies_on_linux():
    from lstmviz.perf import keep_freed_memory
    assert keep_freed_memory() is True
