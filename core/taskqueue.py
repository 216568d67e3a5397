"""The one way code hands work to Celery: tasks named by their registered name, queued after commit.

Services never import a tasks module (tasks import services, so that would be a loop): they name the task,
`task_named("routes.plan_build_job")`, or pass the name to `enqueue_on_commit`, and Celery's registry finds
it. `task_named` makes sure every app's tasks module is imported first (the autodiscovery a worker runs at
start-up), so it works the same in a worker, in a web process and with eager Celery in tests."""

import functools
import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What `.delay` raises when the broker is unreachable (kombu wraps most of it; the rest leaks through).
BROKER_ERRORS = (OperationalError, RedisError, OSError)


def task_named(name: str):
    """The registered Celery task called `name` (KeyError names it if no tasks module defines it)."""
    app = current_app._get_current_object()
    if name not in app.tasks:
        app.loader.import_default_modules()  # runs the apps' autodiscovery (`app.autodiscover_tasks()`)
    return app.tasks[name]


def enqueue(task, *args, **kwargs) -> bool:
    """`task.delay(...)` (`task` a task or its registered name), except that an unreachable broker is a log
    line, not an error: False then.

    Only for work a periodic sweep finds again from the database (mail, webhook events and deliveries)."""
    if isinstance(task, str):
        task = task_named(task)
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as exc:
        where = "in-process" if task.app.conf.task_always_eager else "broker unreachable"
        logger.warning("Task %s not queued (%s: %s: %s); the periodic sweep will pick the work up", task.name,
                       where, type(exc).__name__, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` (a task or its registered name) once the current transaction commits (at once outside
    one). A committed request never turns into a 500 because the broker is down: the failure is logged and
    the task's sweep does the work later."""
    transaction.on_commit(functools.partial(enqueue, task, *args, **kwargs), robust=True)
