from django.conf import settings

from dsp_portal.celery import app


def test_celery_uses_json_late_acks_and_time_limits():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_redis_is_the_broker_when_configured():
    assert settings.REDIS_URL
    assert app.conf.broker_url.startswith("redis://")


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] not in registered}
    assert missing == {}
