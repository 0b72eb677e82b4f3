"""The model's code keeps its structure: no hidden coupling, no undeclared behavioural numbers."""

from __future__ import annotations

import ast
from pathlib import Path

MODEL = Path(__file__).resolve().parent.parent / "model"


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_function_level_imports_between_model_modules():
    """Every model module names what it uses from the others at the top of the file."""
    found = []
    for path in sorted(MODEL.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in _functions(tree):
            for node in ast.walk(fn):
                internal = (isinstance(node, ast.ImportFrom) and node.level > 0) or (
                    isinstance(node, ast.ImportFrom | ast.Import)
                    and any(
                        (getattr(node, "module", None) or alias.name).split(".")[0] == "model"
                        for alias in node.names
                    )
                )
                if internal:
                    found.append(f"{path.relative_to(MODEL.parent)}:{node.lineno} in {fn.name}")
    assert found == []
