#!/usr/bin/env python
"""The apps' import graph, as docs/architecture.md counts it: pairs of apps importing each other both
ways, and imports of our own modules made inside functions (AppConfig.ready() wiring counted apart).

    .venv/bin/python bin/import_graph.py [-v]     # from the repository's root
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import grimp

ROOT = Path.cwd()
APPS = [
    "portal",
    "accounts",
    "audit",
    "api",
    "notifications",
    "placements",
    "applicants",
    "applications",
    "letters",
    "rounds",
    "trust",
    "alerts",
]
# portal's plumbing sits below every app, the rest of portal above them (docs/architecture.md).
PLUMBING = {f"portal.{name}" for name in ("http", "widgets", "middleware", "storage", "upload_handlers")}
PLUMBING |= {f"portal.{name}" for name in ("redis_cache", "gc_tuning", "celery", "exports")}


def app_of(module: str) -> str:
    return "portal (plumbing)" if module in PLUMBING else module.split(".")[0]


def demo_builder(module: str, imported: str) -> bool:
    """The one crossing the layers contract allows (pyproject.toml): the demo's applications get
    their letters through the letters app's services."""
    return module == "applications.demo" and app_of(imported) == "letters"


def function_local_imports() -> list[tuple[str, int, str]]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in APPS):
                        found.append((str(path.relative_to(ROOT)), node.lineno, "." * node.level + (node.module or "")))
    return sorted(set(found))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*APPS, cache_dir=None)
    edges: Counter[tuple[str, str]] = Counter()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if app_of(module) != app_of(imported) and not demo_builder(module, imported):
                edges[(app_of(module), app_of(imported))] += 1
    both = sorted({tuple(sorted(pair)) for pair in edges if pair[::-1] in edges})
    local = function_local_imports()
    wiring = [row for row in local if row[0].endswith("apps.py")]
    print(f"app pairs importing both ways: {len(both)}")
    for a, b in both:
        print(f"  {a} <-> {b}")
    print(f"function-local imports of our modules: {len(local) - len(wiring)} (+{len(wiring)} in AppConfig.ready())")
    if "-v" in sys.argv:
        for path, line, module in local:
            if not path.endswith("apps.py"):
                print(f"  {path}:{line} {module}")


if __name__ == "__main__":
    main()
