"""Settings for the test suite: the real settings, pointed at PostgreSQL and Redis.

The addresses come from the environment, falling back to `.env.example`. Tests run against real
services: if PostgreSQL or Redis is missing the suite fails loudly instead of skipping.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

_base = Path(__file__).resolve().parent.parent
environ.Env.read_env(_base / ".env.example", overwrite=False)


def _worker_number() -> int:
    """0 in a serial run; K for pytest-xdist's worker `gwK` (its environment says so before settings load)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


# Under `pytest -n`, every worker has its own test database (pytest-django adds `_gwK` to its name) and here
# its own Redis database and private media folder: a test's `cache.clear()` (FLUSHDB), a purge of the Celery
# broker or a stored upload must not reach a test another worker is running. Worker K uses Redis db
# N + K * TEST_REDIS_DB_STRIDE (N: the one REDIS_URL names), so runs on different base dbs stay apart too.
# Set in the environment (not only here) so a subprocess a test starts talks to the same Redis database.
_worker = _worker_number()
if _worker:
    _stride = int(os.environ.get("TEST_REDIS_DB_STRIDE", "8"))
    for _name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        _url = os.environ.get(_name, "")
        if _url.startswith("redis://"):
            _split = urlsplit(_url)
            _db = int(_split.path.strip("/") or 0) + _worker * _stride
            if _db > 15:
                raise RuntimeError(f"{_name} for xdist worker {_worker} would need Redis db {_db} (Redis has 0-15):"
                                   " start pytest from a lower db, run fewer workers or set TEST_REDIS_DB_STRIDE.")
            os.environ[_name] = urlunsplit(_split._replace(path=f"/{_db}"))
    if os.environ.get("TEST_PRIVATE_MEDIA_ROOT"):
        os.environ["TEST_PRIVATE_MEDIA_ROOT"] = f"{os.environ['TEST_PRIVATE_MEDIA_ROOT']}-gw{_worker}"

from dsp_portal.settings import *  # noqa: E402,F403
from dsp_portal.settings import DATABASES, env  # noqa: E402

if not DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
    raise RuntimeError("The test suite runs against PostgreSQL: set DATABASE_URL (see .env.example).")
if not REDIS_URL:  # noqa: F405
    raise RuntimeError("The test suite runs against Redis: set REDIS_URL (see .env.example).")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = Path(env.str("TEST_PRIVATE_MEDIA_ROOT",
                                  default=str(_base / "var" / ("test-private" + (f"-gw{_worker}" if _worker else "")))))
# Tasks run in-process in tests so a test sees their effect; the broker is still checked by /readyz.
CELERY_TASK_ALWAYS_EAGER = True
# ...and a job started by a request runs in that request (a test flips this to see the background thread).
JOBS_RUN_SYNC = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min"}}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
RECIPIENT_SMS_BACKEND = "routes.sms.LocmemSmsBackend"  # no network in tests: messages kept in routes.sms.outbox
ROUTES_RESCUE_SECONDS = 0.5
