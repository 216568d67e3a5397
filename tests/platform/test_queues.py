"""Queues by kind of work: planning on `solver`, everything short on `short`; the broker never hands a task still
running to a second worker (its visibility timeout is above every hard time limit)."""

from dsp_portal.celery import app


def _queue(name: str) -> str:
    route = app.amqp.router.route({}, name)
    return route["queue"].name


def test_planning_and_its_chord_go_to_the_solver_queue():
    for name in ("routes.station_plan_night", "routes.plan_build_job", "routes.sector_solve", "routes.sectors_stitch",
                 "routes.border_round_merge", "routes.plan_solution_save"):
        assert _queue(name) == "solver", name


def test_webhooks_email_and_sweeps_go_to_the_short_queue():
    app.loader.import_default_modules()
    for name in ("integrations.tasks.webhook_deliver", "integrations.tasks.event_dispatch", "core.tasks.mail_send",
                 "routes.plan_tomorrow_all", "routes.night_sweep", "integrations.tasks.webhooks_sweep"):
        assert name in app.tasks, name
        assert _queue(name) == "short", name


def test_the_visibility_timeout_is_above_the_longest_task(settings):
    limits = [settings.CELERY_TASK_TIME_LIMIT] + [a["time_limit"] for a in settings.CELERY_TASK_ANNOTATIONS.values()]
    assert app.conf.broker_transport_options["visibility_timeout"] > max(limits)
    assert app.conf.worker_prefetch_multiplier == 1 and app.conf.task_acks_late
    assert app.conf.task_reject_on_worker_lost
