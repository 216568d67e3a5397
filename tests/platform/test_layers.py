"""Apps import each other only in the directions `dsp_portal/layers.py` (DESIGN.md's picture) allows.

Every module of every app is parsed, with the imports inside functions and lazy model references
(`ForeignKey("fleet.Vehicle")`, `apps.get_model("fleet", "Vehicle")`) counted too; a forbidden one is
named `file:line: app -> other`.
"""

import ast
from pathlib import Path

import pytest

from dsp_portal import layers

ROOT = Path(__file__).resolve().parents[2]
MODEL_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def project_apps() -> set[str]:
    """Top-level packages that are Django apps (have an apps.py)."""
    return {path.parent.name for path in ROOT.glob("*/apps.py")}


def references(tree: ast.AST):
    """(line, top-level module or app label) for each import and lazy model reference in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            value = node.args[0].value
            if not isinstance(value, str):
                continue
            if name in MODEL_FIELDS and value.count(".") == 1 or name == "get_model" or name == "import_module":
                yield node.lineno, value.split(".")[0]


def forbidden_imports(apps: set[str]) -> list[str]:
    problems = []
    for app in sorted(apps):
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
            for line, target in references(tree):
                if target in apps and not layers.may_import(app, target):
                    problems.append(f"{rel}:{line}: {app} -> {target}")
    return problems


def test_every_app_has_a_row_in_the_layer_table():
    unknown = project_apps() - set(layers.LAYERS) - {layers.PROJECT}
    assert unknown == set(), f"add these apps to dsp_portal/layers.py: {sorted(unknown)}"


def test_no_app_imports_against_the_allowed_directions():
    problems = forbidden_imports(project_apps() | set(layers.LAYERS))
    assert problems == [], "forbidden imports (see dsp_portal/layers.py):\n" + "\n".join(problems)


def test_the_arrows_never_point_back_up():
    for app in layers.LAYERS:
        assert app not in layers.allowed(app), f"{app} reaches itself through its arrows"


@pytest.mark.parametrize(("app", "other", "ok"), [
    ("routes", "accounts", True),       # below fleet/hubs: transitive
    ("routes", "core", True),
    ("hubs", "routes", False),
    ("hubs", "onboarding", False),
    ("integrations", "payments", False),
    ("core", "accounts", False),
    ("procurement", "fleet", True),
    ("fleet", "procurement", False),
    ("dsp_portal", "routes", True),
])
def test_the_table_reads_as_design_md_draws_it(app, other, ok):
    assert layers.may_import(app, other) is ok


def test_a_forbidden_function_level_import_is_named_with_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "hubs").mkdir()
    (tmp_path / "hubs" / "apps.py").write_text("")
    (tmp_path / "hubs" / "views.py").write_text(
        "from core.errors import DomainError\n\n\ndef view():\n    from routes.models import Stop\n    return Stop\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert forbidden_imports({"hubs", "routes", "core"}) == ["hubs/views.py:5: hubs -> routes"]
