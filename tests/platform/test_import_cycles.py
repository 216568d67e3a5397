"""No import cycle inside an app: each app's modules (and the project package's) import one way.

The graph counts every import anywhere in a module, function-level ones too (`tests/importgraph.py`), so a
service that imports its app's tasks module "lazily" to enqueue work still shows up as a loop: services name
tasks by their registered name instead (`core.taskqueue.task_named`, `celery.signature`)."""

import pytest

from dsp_portal import layers
from tests.importgraph import cycles, import_graph

PACKAGES = sorted(layers.LAYERS) + [layers.PROJECT]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_inside_the_package(package):
    graph = import_graph(package)

    assert len(graph) > 1  # the package was found and read
    assert cycles(graph) == []


def test_the_graph_sees_function_level_and_package_imports():
    graph = import_graph("routes")

    assert "routes.services.planning" in graph["routes.services"]  # the package's __init__ re-exports it
    assert "routes.services" in graph["routes.tasks"]  # `from routes.services import plan_build_for_job` in a task
    assert "routes.services.chords" in graph["routes.services.planning"]


def test_a_loop_through_a_function_level_import_is_a_cycle(tmp_path):
    package = tmp_path / "app"
    (package / "services").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "services" / "__init__.py").write_text("from .jobs import start\n")
    (package / "services" / "jobs.py").write_text("def start():\n    from app import tasks\n    tasks.run()\n")
    (package / "tasks.py").write_text("from app.services import start\n")

    assert cycles(import_graph("app", root=tmp_path)) == [["app.services", "app.services.jobs", "app.tasks"]]
