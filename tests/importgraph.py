"""A module-level import graph of one package and the cycles in it (shared by the solver's and the apps' tests).

Every `import x` and `from x import y` anywhere in a module counts, inside functions too: a function-level
import that closes a loop is still a loop. `from package import name` points at the module `package.name`
when there is one, else at `package`. A package's `__init__` is the node named by the package itself;
importing `a.b.c` is not counted as importing `a` or `a.b`."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_names(package: str, root: Path = ROOT) -> dict[str, Path]:
    """Every module under `package` (dotted name, subpackages too) and its file."""
    base = root.joinpath(*package.split("."))
    names = {}
    for path in sorted(base.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    return ".".join(parts[:keep] + ([node.module] if node.module else []))


def module_imports(path: Path, modules: set[str], name: str = "") -> set[str]:
    """The modules among `modules` that the file `path` (module `name`) imports anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, path.name == "__init__.py")
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in modules)
    return found


def import_graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports."""
    files = module_names(package, root)
    return {name: module_imports(path, set(files), name) - {name} for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (each holds at least one cycle)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out
