"""The shape of the package: imports run one way, modules and functions stay small.

The import contract is declared once, in pyproject.toml ([tool.importlinter]),
and checked here with import-linter (CI also runs ``lint-imports``). The size
limits are the house's: no module over 300 lines, no function over 60 lines
of code (blank lines, comments and the docstring not counted).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sim111"
MAX_MODULE_LINES = 300
MAX_FUNCTION_CODE_LINES = 60


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _docstring_lines(node: ast.AST) -> range:
    body = getattr(node, "body", [])
    first = body[0] if body else None
    is_docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    if not is_docstring or first is None:
        return range(0)
    return range(first.lineno, (first.end_lineno or first.lineno) + 1)


def code_lines(source_lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of code in a function: not blank, not a comment, not its docstring."""
    doc = _docstring_lines(node)
    count = 0
    for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
        text = source_lines[number - 1].strip()
        if text and not text.startswith("#") and number not in doc:
            count += 1
    return count


def test_code_lines_counts_code_only():
    source = 'def f(x):\n    """Doc\n    more."""\n\n    # why\n    y = x\n    return y\n'
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    assert code_lines(source.splitlines(), node) == 3  # def, y = x, return


def test_imports_run_one_way():
    lint = pytest.importorskip("importlinter.cli")
    config = str(ROOT / "pyproject.toml")
    assert lint.lint_imports(config_filename=config, no_cache=True) == 0, (
        "an import runs against the layers in pyproject.toml [tool.importlinter]: "
        "run `lint-imports` to see which"
    )


def test_no_module_is_over_the_limit():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_the_limit():
    long = {}
    for path in _modules():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = code_lines(lines, node)
                if n > MAX_FUNCTION_CODE_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = n
    assert long == {}


def _architecture() -> str:
    return (ROOT / "docs" / "architecture.md").read_text()


def test_architecture_doc_names_every_module_and_only_real_ones():
    doc = _architecture()
    named = set(re.findall(r"`(sim111/[\w/]+\.py)`", doc))
    real = {
        str(p.relative_to(ROOT)) for p in _modules() if p.name not in ("__init__.py", "__main__.py")
    }
    assert named - real == set(), "docs/architecture.md names modules that do not exist"
    assert real - named == set(), "modules missing from docs/architecture.md's table"


def test_architecture_doc_layers_are_the_import_contract():
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = contract["contracts"][0]["layers"]
    block = _architecture().split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    shown = [line.strip() for line in block.strip().strip("`").splitlines() if line.strip()]
    assert shown == layers
