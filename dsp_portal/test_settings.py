"""Settings for the test suite: the real settings, pointed at PostgreSQL and Redis.

The addresses come from the environment, falling back to `.env.example`. Tests run against real
services: if PostgreSQL or Redis is missing the suite fails loudly instead of skipping.
"""

from pathlib import Path

import environ

_base = Path(__file__).resolve().parent.parent
environ.Env.read_env(_base / ".env.example", overwrite=False)

from dsp_portal.settings import *  # noqa: E402,F403
from dsp_portal.settings import DATABASES, env  # noqa: E402

if not DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
    raise RuntimeError("The test suite runs against PostgreSQL: set DATABASE_URL (see .env.example).")
if not REDIS_URL:  # noqa: F405
    raise RuntimeError("The test suite runs against Redis: set REDIS_URL (see .env.example).")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = Path(env.str("TEST_PRIVATE_MEDIA_ROOT", default=str(_base / "var" / "test-private")))
# Tasks run in-process in tests so a test sees their effect; the broker is still checked by /readyz.
CELERY_TASK_ALWAYS_EAGER = True
# ...and a job started by a request runs in that request (a test flips this to see the background thread).
JOBS_RUN_SYNC = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min"}}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
