"""Settings for the journeys on the embedded default (`tests/embedded`, the second run of `make test`).

What `make run` runs with nothing configured: a SQLite file (in a temporary folder), the process-memory
cache, no Redis, Celery tasks in-process, and the local Stripe stand-in (the `stripe_fake` fixture points
STRIPE_API_BASE at it). Whatever the environment says about PostgreSQL, Redis or Stripe keys is ignored here.
"""

import tempfile
from pathlib import Path

from dsp_portal.settings import *  # noqa: F403
from dsp_portal.settings import SQLITE_OPTIONS, env

_tmp = Path(tempfile.mkdtemp(prefix="dsp-embedded-"))

DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3", "NAME": str(_tmp / "db.sqlite3"), "CONN_MAX_AGE": 0,
    "OPTIONS": dict(SQLITE_OPTIONS), "TEST": {"NAME": str(_tmp / "test.sqlite3")},
}}
REDIS_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True
STRIPE_STANDIN = True
STRIPE_SECRET_KEY = "sk_test_standin"
STRIPE_WEBHOOK_SECRET = "whsec_local"

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = Path(env.str("TEST_PRIVATE_MEDIA_ROOT", default=str(_tmp / "private"))) / "embedded"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min"}}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
RECIPIENT_SMS_BACKEND = "routes.sms.LocmemSmsBackend"  # no network in tests
ROUTES_RESCUE_SECONDS = 0.5
