"""The packages import downwards only: model ← scenarios, experiments ← kyosei, dashboards.

Every module's imports are read from its source (``ast``), including imports inside
functions and under ``TYPE_CHECKING``, so an upward import cannot hide anywhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "model": {"experiments", "dashboards", "scenarios", "kyosei"},
    "experiments": {"dashboards", "kyosei"},
}


def _imports(source: str, package: str, depth: int) -> set[str]:
    """Top-level package names a module imports (relative ones resolved).

    ``depth`` is how many folders below the repository root the module sits.
    """
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif node.level > 0:
                if node.level <= depth:
                    names.add(package)  # relative imports stay inside the package
                else:
                    names.add("<outside the package>")
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package):
    modules = _modules(package)
    assert modules, package
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in sorted(
            _imports(path.read_text("utf-8"), package, len(path.relative_to(ROOT).parts) - 1)
        )
        if name in FORBIDDEN[package] or name == "<outside the package>"
    ]
    assert bad == []


def test_the_reader_sees_every_kind_of_import():
    """The check itself: imports in functions, under TYPE_CHECKING and relative ones."""
    source = (
        "import numpy as np\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import dashboards.state\n"
        "def f():\n    from kyosei.errors import UsageError\n"
        "from .spec import x\n"
        "from ..model import y\n"
    )
    assert _imports(source, "experiments", 1) == {
        "numpy",
        "typing",
        "dashboards",
        "kyosei",
        "experiments",
        "<outside the package>",
    }
    assert _imports("from ..parameters import p\n", "model", 2) == {"model"}


def test_usage_error_is_one_class_for_every_layer():
    from kyosei.errors import UsageError as FromCli
    from model.errors import UsageError

    assert FromCli is UsageError
    assert issubclass(UsageError, ValueError)
