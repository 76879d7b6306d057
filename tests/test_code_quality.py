"""The code stays clean and its layering holds: ruff, import-linter and the size limits run with the suite."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MAX_MODULE_LINES, MAX_FUNCTION_LINES, MAX_CLASS_LINES = 450, 60, 300


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_ruff_is_clean():
    result = run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contracts_hold():
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and "4 kept" in result.stdout


def sizes():
    """(what, where, lines) of every module, function and class of the package."""
    for path in sorted((ROOT / "lstmviz").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        yield "module", str(where), text.count("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                yield kind, f"{where}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1


def test_modules_functions_and_classes_stay_small():
    limits = {"module": MAX_MODULE_LINES, "function": MAX_FUNCTION_LINES, "class": MAX_CLASS_LINES}
    too_big = [f"{kind} {where}: {lines} lines (at most {limits[kind]})" for kind, where, lines in sizes()
               if lines > limits[kind]]
    assert not too_big, "\n".join(too_big)
    assert sum(1 for kind, _, _ in sizes() if kind == "class") > 40  # the walk really sees the package
