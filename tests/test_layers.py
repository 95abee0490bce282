"""The package's layers import one way: models -> analysis -> figures -> ui; only ui imports streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "viz/models": {"streamlit", "plotly", "altair", "viz.analysis", "viz.figures", "viz.ui"},
    "viz/analysis": {"streamlit", "plotly", "altair", "viz.figures", "viz.ui"},
    "viz/figures": {"streamlit", "torch", "viz.ui", "viz.models"},
    "viz/data": {"streamlit", "torch", "plotly", "viz"},
    "viz/tasks": {"streamlit", "torch", "plotly", "viz.ui", "viz.figures"},
    "viz/training": {"streamlit", "plotly", "viz.ui", "viz.figures"},
    "viz/layerwise": {"streamlit", "plotly", "viz.ui", "viz.figures"},
    "viz/vision_training": {"streamlit", "plotly", "altair", "viz.figures", "viz.ui"},
}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def forbidden_hit(name: str, banned: set[str]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_one_way(layer):
    for path in (ROOT / layer).rglob("*.py"):
        bad = [n for n in imports_of(path) if forbidden_hit(n, FORBIDDEN[layer])]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_only_ui_and_pages_import_streamlit():
    allowed = (
        {ROOT / "app.py"} | set((ROOT / "app_pages").rglob("*.py")) | set((ROOT / "viz/ui").rglob("*.py"))
    )
    for path in list((ROOT / "viz").rglob("*.py")) + [ROOT / "app.py"]:
        if path not in allowed:
            assert not forbidden_hit_any(path, "streamlit"), path


def forbidden_hit_any(path: Path, name: str) -> bool:
    return any(forbidden_hit(n, {name}) for n in imports_of(path))


def test_app_never_imports_transformers():
    for path in list((ROOT / "viz").rglob("*.py")) + list((ROOT / "pages").rglob("*.py")) + [ROOT / "app.py"]:
        assert not forbidden_hit_any(path, "transformers"), path
