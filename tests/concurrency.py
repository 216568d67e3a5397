"""Run callables at the same moment, each in its own thread and so its own database connection.

Used by the tests that prove a lock holds on PostgreSQL (two admins deciding at once, parallel approvals
against a cap). Each outcome is `("ok", result.status)`, `("conflict", code)` or `("error", repr)`."""

import threading

from django.db import connection

from core.errors import Conflict


def run_at_once(calls, *, timeout=30):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call().status)
        except Conflict as exc:
            outcomes[index] = ("conflict", exc.code)
        except Exception as exc:  # noqa: BLE001 - recorded so the assertion shows what went wrong
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
