"""The package's layout rule, read from the imports themselves.

``core`` <- ``judge`` <- the parts in book order (``convtranspose``, ``autoencoders``, ``gans``,
``autoregressive``) <- ``registry``, ``recipes``, ``cli``, ``benchmark``, ``pages``: a module may
import its own layer and the layers before it, never a later one, and no chain of imports may
come back to where it started (a cycle held together by late imports is still a cycle, so
imports inside functions count too). The checker is tested on planted violations.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "vaegan"

#: layer of each top-level name inside vaegan; a higher layer may import a lower one
LAYERS = {
    "": 0, "core": 0,  # the root package only re-exports core
    "judge": 1,
    "convtranspose": 2, "autoencoders": 3, "gans": 4, "autoregressive": 5,
    "registry": 6, "recipes": 6, "cli": 6, "benchmark": 6, "pages": 6, "__main__": 6,
}


def module_names(root: Path) -> dict[str, Path]:
    """``{"vaegan.core.data": path, ...}`` for every module of the package at ``root``."""
    names = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The package modules that the module ``name`` at ``path`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from vaegan.core import data` imports the module vaegan.core.data when there is one
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def layer(name: str) -> int:
    parts = name.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else ""]


def violations(root: Path) -> tuple[list[str], list[list[str]]]:
    """``(layer violations as "a -> b" lines, import cycles as lists of modules)`` for the package at ``root``."""
    modules = module_names(root)
    graph = {name: imports_of(path, name, modules) for name, path in modules.items()}
    unknown = sorted({name.split(".")[1] for name in modules if "." in name} - set(LAYERS))
    assert not unknown, f"new top-level modules {unknown}: give them a layer in LAYERS"
    wrong = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets if layer(b) > layer(a))
    return wrong, cycles(graph)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_follows_the_layer_rule_and_has_no_import_cycle():
    wrong, loops = violations(PACKAGE)
    assert not wrong, "imports against the layer rule (see this file's docstring):\n" + "\n".join(wrong)
    assert not loops, f"import cycles: {loops}"


def test_every_part_has_its_folder_and_the_flat_modules_are_gone():
    for folder in ("core", "judge", "convtranspose", "autoencoders", "gans", "autoregressive", "pages"):
        assert (PACKAGE / folder / "__init__.py").is_file(), folder
    flat = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "benchmark.py", "cli.py", "recipes.py", "registry.py"], flat


@pytest.fixture
def package_copy(tmp_path) -> Path:
    copy = tmp_path / "vaegan"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("weights", "__pycache__"))
    return copy


def test_the_checker_catches_a_planted_import_of_a_later_layer(package_copy):
    data = package_copy / "core" / "data.py"
    data.write_text(data.read_text() + "\n\ndef _planted():\n    from vaegan.gans import models  # noqa: F401\n")
    wrong, _ = violations(package_copy)
    assert wrong == ["vaegan.core.data -> vaegan.gans.models"]


def test_the_checker_catches_a_planted_cycle(package_copy):
    latent = package_copy / "autoencoders" / "latent.py"  # train imports latent; make latent import train
    latent.write_text(latent.read_text() + "\n\ndef _planted():\n    import vaegan.autoencoders.train  # noqa: F401\n")
    wrong, loops = violations(package_copy)
    assert not wrong
    assert any({"vaegan.autoencoders.latent", "vaegan.autoencoders.train"} <= set(loop) for loop in loops)


def test_the_checker_resolves_relative_imports(package_copy):
    judge = package_copy / "judge" / "metrics.py"
    judge.write_text(judge.read_text() + "\n\nfrom ..pages import plotting  # noqa: F401,E402\n")
    wrong, _ = violations(package_copy)
    assert wrong == ["vaegan.judge.metrics -> vaegan.pages.plotting"]
