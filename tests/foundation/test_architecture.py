"""The shape of the house: imports go one way, the reverse of the data's.

    cli        the one command line (mounts every command group; the benchmark)
     │
    flows      Prefect flows: short lists of named steps wiring the core and the domains
     │
    simulator · indicators · ml · dashboards      domain packages: each imports only the core
     │
    jingfen    the core: configuration, interface spec, extracts, ingest, dbt runner, build
               state, publish — imports nothing of ours

Every import counts, at module level or inside a function (a lazy import is still a
dependency). A test fails on an upward or sideways import and on an import cycle between
modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

from jingfen.config import REPO_ROOT

CORE = "jingfen"
DOMAINS = ("simulator", "indicators", "ml", "dashboards")
FLOWS = "flows"
CLI = "cli"
PACKAGES = (CORE, *DOMAINS, FLOWS, CLI)

# What each layer may import besides itself.
ALLOWED = {
    CORE: set(),
    **{d: {CORE} for d in DOMAINS},
    FLOWS: {CORE, *DOMAINS},
    CLI: {CORE, *DOMAINS, FLOWS},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for pkg in PACKAGES
        for p in sorted((REPO_ROOT / pkg).rglob("*.py"))
        if "assets" not in p.parts
    }


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that ``path`` imports (resolved to the longest known module name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    found = set()
    for name in names:
        if name.split(".")[0] not in PACKAGES:
            continue
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(p, modules) - {m} for m, p in modules.items()}


def test_every_package_is_in_a_layer() -> None:
    tops = {p.name for p in REPO_ROOT.iterdir() if (p / "__init__.py").exists()}
    assert tops <= set(PACKAGES) | {"tests"}, f"packages outside the layers: {tops - set(PACKAGES)}"


def test_imports_go_down_the_layers() -> None:
    problems = []
    for module, imported in sorted(_graph().items()):
        layer = module.split(".")[0]
        for target in sorted(imported):
            other = target.split(".")[0]
            if other != layer and other not in ALLOWED[layer]:
                problems.append(
                    f"{module} imports {target} ({layer} may import {ALLOWED[layer] or 'nothing of ours'})"
                )
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_walk_sees_a_known_import() -> None:
    """The check can fail: flows.build imports the core's build state."""
    assert "jingfen.build_state" in _graph()["flows.build"]
