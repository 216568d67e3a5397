"""Under `pytest -n` (pytest-xdist) each worker gets its own Redis database and private media folder, so one
worker's `cache.clear()` (FLUSHDB), broker purge or upload never reaches a test another worker is running.
(pytest-django gives each worker its own test database, `test_<name>_gwK`.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("import django; django.setup(); from django.conf import settings as s; import json;"
        "print(json.dumps([s.REDIS_URL, s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL,"
        " str(s.CELERY_RESULT_BACKEND), str(s.PRIVATE_MEDIA_ROOT)]))")


def _settings_as(worker, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"PYTEST_XDIST_WORKER", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "TEST_REDIS_DB_STRIDE"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "dsp_portal.test_settings", "REDIS_URL": "redis://127.0.0.1:6379/3",
                  "TEST_PRIVATE_MEDIA_ROOT": "/tmp/dsp-private", **env})
    if worker:
        clean["PYTEST_XDIST_WORKER"] = worker
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_worker_has_its_own_redis_database_and_media_folder():
    serial, gw0, gw1 = _settings_as(None), _settings_as("gw0"), _settings_as("gw1")
    assert serial == gw0 == ["redis://127.0.0.1:6379/3"] * 4 + ["/tmp/dsp-private"]
    assert gw1 == ["redis://127.0.0.1:6379/11"] * 4 + ["/tmp/dsp-private-gw1"]


def test_a_separate_broker_url_moves_with_the_worker_too():
    gw1 = _settings_as("gw1", CELERY_BROKER_URL="redis://127.0.0.1:6379/5")
    assert gw1[2] == "redis://127.0.0.1:6379/13"


def test_a_worker_past_the_last_redis_database_refuses_to_start():
    clean = {**os.environ, "DJANGO_SETTINGS_MODULE": "dsp_portal.test_settings", "PYTEST_XDIST_WORKER": "gw2",
             "REDIS_URL": "redis://127.0.0.1:6379/3"}
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode != 0 and "would need Redis db 19" in result.stderr
