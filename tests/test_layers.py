"""The package's structure, enforced: imports go one way, families stand apart, configs are torch-free.

The layers, from the bottom: ``core`` and the torch-free ``data`` and ``tasks``; ``layers``; one folder per
family under ``models``; ``library`` (which models exist, and fetching them); ``analysis`` (pure functions on arrays); ``trace`` (the public entry points);
``training`` and ``layerwise``; ``evaluation`` (the second renderer, scoring what training made); ``figures`` (plotly from arrays); ``ui`` (the only streamlit); the pages.
Every test here scans the files themselves, so a new file is covered the day it is written.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = sorted(p.name for p in (ROOT / "viz/models").iterdir() if (p / "__init__.py").is_file())

#: layer -> the viz layers its modules may import (their own layer always).
ALLOWED = {
    "core": {"data"},  # data is torch-free and imports no viz layer: the image processors' defaults
    "data": set(),
    "tasks": set(),
    "layers": {"core"},
    "models": {"core", "layers", "data", "tasks"},
    "library": {"core", "models"},
    "analysis": {"core"},
    "trace": {"core", "layers", "models", "analysis", "data", "tasks"},
    "training": {"core", "layers", "models", "analysis", "data", "tasks", "trace"},
    # the second renderer and the report that scores the bundled models on it (never imported by training)
    "evaluation": {"core", "layers", "models", "analysis", "data", "tasks", "trace", "training"},
    "layerwise": {"core", "models", "analysis", "data", "tasks", "trace"},
    "figures": {"analysis", "data"},
    "ui": {
        "library",
        "core",
        "layers",
        "models",
        "analysis",
        "data",
        "tasks",
        "trace",
        "training",
        "layerwise",
        "figures",
    },
    "pages": {"ui", "figures", "analysis", "data", "tasks", "layerwise"},
}
#: layer -> third-party packages its modules must not import.
BANNED = {
    "core": {"streamlit", "plotly", "altair", "pandas"},
    "data": {"streamlit", "plotly", "altair", "torch"},
    "tasks": {"streamlit", "plotly", "altair", "torch"},
    "layers": {"streamlit", "plotly", "altair", "pandas"},
    "models": {"streamlit", "plotly", "altair", "pandas"},
    "library": {"streamlit", "plotly", "altair", "pandas", "torch"},
    "analysis": {"streamlit", "plotly", "altair"},
    "trace": {"streamlit", "plotly", "altair"},
    "training": {"streamlit", "plotly", "altair"},
    "evaluation": {"streamlit", "plotly", "altair"},
    "layerwise": {"streamlit", "plotly", "altair"},
    "figures": {"streamlit", "torch"},
    "ui": set(),
    "pages": {"torch"},
}
NEVER = {"transformers"}  # a test-time reference only: the app never imports it


def sources() -> list[Path]:
    return (
        sorted(ROOT.glob("viz/**/*.py"))
        + sorted(ROOT.glob("app_pages/*.py"))
        + [ROOT / "app.py", ROOT / "navigation.py"]
    )


def layer_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if parts[0] != "viz":
        return "pages"
    return parts[1] if len(parts) > 2 else "root"


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function; ``from a import b`` counts ``a.b`` too."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def viz_layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "viz" and len(parts) > 1 else None


def test_every_file_is_in_a_known_layer():
    assert {layer_of(p) for p in sources()} <= set(ALLOWED) | {"root"}


def test_the_package_root_holds_only_the_public_api():
    root_modules = sorted(p.name for p in (ROOT / "viz").glob("*.py"))
    assert root_modules[0] == "__init__.py" and len(root_modules) <= 3, root_modules
    init = (ROOT / "viz/__init__.py").read_text(encoding="utf-8")
    assert not [n for n in imports_of(ROOT / "viz/__init__.py") if n.startswith("viz.")], "lazy exports only"
    assert "_EXPORTS" in init


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_one_way(path):
    layer = layer_of(path)
    if layer == "root":
        return
    allowed = ALLOWED[layer] | {layer}
    names = imports_of(path)
    wrong_layer = sorted(n for n in names if viz_layer(n) and viz_layer(n) not in allowed and n != "viz")
    assert not wrong_layer, f"{layer} may not import {wrong_layer}"
    third_party = sorted(n for n in names if n.split(".")[0] in BANNED[layer] | NEVER)
    assert not third_party, f"{layer} may not import {third_party}"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_family_uses_only_core_layers_and_itself(family):
    """A family reaches another family's code only through core/ or layers/ (move the shared part down)."""
    for path in sorted((ROOT / "viz/models" / family).rglob("*.py")):
        others = sorted(
            n for n in imports_of(path) if n.startswith("viz.models.") and n.split(".")[2] != family
        )
        assert not others, f"{path.relative_to(ROOT)} imports {others}"


def test_only_ui_and_pages_import_streamlit():
    for path in sources():
        if layer_of(path) not in ("ui", "pages"):
            assert not [n for n in imports_of(path) if n.split(".")[0] == "streamlit"], path


def test_no_import_cycles():
    """Between modules of viz, counting imports inside functions too: the graph has no cycle."""
    modules = {module_of(p): p for p in ROOT.glob("viz/**/*.py")}
    graph = {
        name: {n for n in imports_of(path) if n in modules and n != name and not name.startswith(n + ".")}
        for name, path in modules.items()
    }
    # A module that imports a package imports its __init__: count that edge, but a package's __init__
    # importing nothing of its children adds none. Tarjan's strongly connected components:
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_cycle_check_can_fail(tmp_path):
    """The scanner sees imports inside functions (a cycle hidden in a lazy import would be counted)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from viz.trace import sentence\n", encoding="utf-8")
    assert "viz.trace.sentence" in imports_of(module)


CONFIG_MODULES = ["viz.core.config", "viz.core.hf_config"] + [f"viz.models.{f}.config" for f in FAMILIES]


@pytest.mark.parametrize("module", CONFIG_MODULES)
def test_configs_are_torch_free(module):
    """A configuration module (presets, parameter counts) imports without torch, in a fresh interpreter."""
    code = f"import sys, {module}; sys.exit('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{module} imports torch: {result.stderr}"


def test_every_family_has_its_config_model_and_checkpoint():
    for family in FAMILIES:
        files = {p.name for p in (ROOT / "viz/models" / family).glob("*.py")}
        assert {"config.py", "model.py", "checkpoint.py", "registry.py"} <= files, family


def test_every_widget_bound_to_the_address_goes_through_the_cleaning_wrappers():
    """A value from the address is untrusted: only viz/ui/controls.py's bound_* wrappers bind a widget to it."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in sources()
        if p.name != "controls.py" and "bind=" in p.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


def test_every_chart_is_drawn_by_export_chart_and_built_as_json():
    """Charts go through viz/ui/export.py's ``chart`` (where the suite checks them against plotly's validation)
    and figures are built by ``viz.figures.style.figure``, never by plotly's object model."""
    drawn_elsewhere = [
        str(p.relative_to(ROOT))
        for p in sources()
        if p.name != "export.py" and "plotly_chart(" in p.read_text(encoding="utf-8")
    ]
    assert not drawn_elsewhere, drawn_elsewhere
    built_by_plotly = [
        str(p.relative_to(ROOT))
        for p in sources()
        if p.name != "spec.py" and "go.Figure(" in p.read_text(encoding="utf-8")
    ]
    assert not built_by_plotly, built_by_plotly
