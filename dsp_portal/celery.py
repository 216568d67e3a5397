"""The Celery app. Redis broker when REDIS_URL is set; in-process (eager) otherwise.

Configuration is read from Django settings with the CELERY_ prefix; the beat schedule lives in
settings (CELERY_BEAT_SCHEDULE)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsp_portal.settings")

app = Celery("dsp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
