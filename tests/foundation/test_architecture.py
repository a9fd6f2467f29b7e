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

Two more rules keep the layers' meaning: a flow module holds only named steps (Prefect tasks
and flows, and the ``serve_*`` that schedules one), each short and without SQL, so the logic
lives in the core or a domain where it is tested without Prefect; and the tables of
``warehouse/ingest.duckdb`` are queried only by their owner, ``jingfen.ingest.audit``.
"""

from __future__ import annotations

import ast
import re
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


# ---------------------------------------------------------------- flows are thin

STEP_DECORATORS = {"task", "flow"}
# The longest steps (statements, nested ones counted): a task is a core or domain call and its
# log line; a flow is its list of steps (the nightly flow, five of them, is the longest).
MAX_TASK_STATEMENTS = 8
MAX_FLOW_STATEMENTS = 30
SQL = re.compile(r"\bselect\b[^;]*?\bfrom\s+[\w\"{]", re.IGNORECASE | re.DOTALL)


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (prose may say "select ... from")."""
    owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return {
        id(o.body[0].value)
        for o in owners
        if o.body and isinstance(o.body[0], ast.Expr) and isinstance(o.body[0].value, ast.Constant)
    }


def _strings(tree: ast.Module) -> list[str]:
    skip = _docstrings(tree)
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
    ]


def flow_logic(source: str) -> list[str]:
    """What a flows/ module holds beyond short named steps (empty when it is thin)."""
    tree = ast.parse(source)
    problems = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            problems.append(f"class {node.name}: a class belongs in the core or a domain")
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        kinds = {_decorator_name(d) for d in node.decorator_list} & STEP_DECORATORS
        if not kinds and not node.name.startswith("serve_"):
            problems.append(f"{node.name}() is neither a Prefect task nor a flow")
        size = sum(isinstance(n, ast.stmt) for n in ast.walk(node)) - 1
        limit = MAX_TASK_STATEMENTS if "task" in kinds else MAX_FLOW_STATEMENTS
        if size > limit:
            problems.append(
                f"{node.name}() has {size} statements, more than {limit}: "
                "move its logic into a core or domain function"
            )
        if "task" in kinds and any(isinstance(n, ast.For | ast.While) for n in ast.walk(node)):
            problems.append(f"{node.name}() loops: a task is one core or domain call")
    problems += [f"SQL in a flow: {s[:60]!r}" for s in _strings(tree) if SQL.search(s)]
    return problems


def test_flows_are_short_lists_of_named_steps() -> None:
    problems = [
        f"{path.relative_to(REPO_ROOT)}: {p}"
        for path in sorted((REPO_ROOT / FLOWS).glob("*.py"))
        for p in flow_logic(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "logic in flows/:\n" + "\n".join(problems)


def test_the_flow_check_can_fail() -> None:
    source = (
        "from prefect import flow, task\n"
        "def helper(x):\n    return x\n"
        "@task(retries=3)\ndef latest():\n"
        "    return con.execute('select max(d) from t').fetchall()\n"
        "@task\ndef each(xs):\n    for x in xs:\n        print(x)\n"
        "@flow(name='f')\ndef f():\n" + "    x = 1\n" * (MAX_FLOW_STATEMENTS + 1)
    )
    problems = flow_logic(source)
    assert any(p.startswith("helper()") for p in problems)
    assert any(p.startswith("SQL in a flow") for p in problems)
    assert any(p.startswith("each() loops") for p in problems)
    assert any(p.startswith(f"f() has {MAX_FLOW_STATEMENTS + 1} statements") for p in problems)
    assert not any(p.startswith(("latest()", "f() is")) for p in problems)


# ---------------------------------------------------------------- the load audit's one owner

AUDIT_OWNER = "jingfen.ingest.audit"
AUDIT_SQL = re.compile(
    r"\b(from|join|into|update|table(\s+if\s+not\s+exists)?)\s+load_(audit|rejects|runs|waiting)\b",
    re.IGNORECASE,
)


def _audit_queries() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for module, path in _modules().items():
        hits = [
            s for s in _strings(ast.parse(path.read_text(encoding="utf-8"))) if AUDIT_SQL.search(s)
        ]
        if hits:
            out[module] = hits
    return out


def test_the_load_audit_is_queried_by_its_owner_only() -> None:
    queries = _audit_queries()
    assert AUDIT_OWNER in queries, "the owner's own queries were not found: the check is blind"
    others = {m: q for m, q in queries.items() if m != AUDIT_OWNER}
    assert not others, (
        f"SQL on warehouse/ingest.duckdb outside {AUDIT_OWNER} (ask one of its query "
        f"functions instead): {others}"
    )
