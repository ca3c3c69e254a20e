"""The house rule of docs/architecture.md: harvest, mapping, shapes and store do not import
each other; only pipeline.py composes them; cli.py and api/ never touch lxml, pyoxigraph or
HTTP sessions directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBSYSTEMS = ("harvest", "mapping", "shapes", "store")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    package = path.relative_to(ROOT).parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # resolve relative imports inside oogst
                base = list(package[: len(package) - node.level + 1])
                names.add(".".join(["oogst", *base, *(node.module.split(".") if node.module else [])]))
            elif node.module:
                names.add(node.module)
    return names


def subsystem_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "oogst" and len(parts) > 1 and parts[1] in SUBSYSTEMS:
        return parts[1]
    return None


@pytest.mark.parametrize("subsystem", SUBSYSTEMS)
def test_subsystems_do_not_import_each_other(subsystem: str) -> None:
    offenders = []
    for path in (ROOT / subsystem).rglob("*.py"):
        for module in imports_of(path):
            other = subsystem_of(module)
            if other and other != subsystem:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, offenders


@pytest.mark.parametrize("shell", ["cli.py", "api"])
def test_shells_stay_thin(shell: str) -> None:
    paths = [ROOT / shell] if shell.endswith(".py") else list((ROOT / shell).rglob("*.py"))
    offenders = [
        f"{p.relative_to(ROOT)} imports {m}"
        for p in paths
        for m in imports_of(p)
        if m.split(".")[0] in {"lxml", "pyoxigraph", "requests"}
    ]
    assert not offenders, offenders
