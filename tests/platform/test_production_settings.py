"""Production settings refuse to start without their secrets, and pass `check --deploy`."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "dsp_portal.settings",
    "SECRET_KEY": "x" * 30 + "-a-long-and-random-production-secret-value",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/dsp_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "portal.example.com",
}


# Set in-process by the browser fixtures; a real production process never has it.
_NOT_INHERITED = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run(args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in _NOT_INHERITED}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = _run(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_is_locked_down():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS > 0,"
        " settings.DEBUG)"
    )
    result = _run(["-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "False"]


def test_production_logs_are_json_lines_carrying_the_request_id():
    code = (
        "import django, logging; django.setup();"
        "from django.http import HttpResponse; from django.test import RequestFactory;"
        "from core.middleware import RequestIdMiddleware;"
        "view = lambda request: (logging.getLogger('portal').warning('hello from a view'), HttpResponse())[1];"
        "RequestIdMiddleware(view)(RequestFactory().get('/', HTTP_X_REQUEST_ID='req-42'))"
    )
    result = _run(["-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    record = next(line for line in lines if line["message"] == "hello from a view")
    assert record["request_id"] == "req-42"
    assert record["level"] == "WARNING"
    assert record["logger"] == "portal"


def test_the_404_warning_django_logs_after_the_middleware_carries_the_request_id():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "Client().get('/api/v1/no-such-endpoint/', HTTP_HOST='portal.example.com', secure=True,"
        "             HTTP_X_REQUEST_ID='req-404')"
    )
    result = _run(["-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    record = next(line for line in lines if line["logger"] == "django.request")
    assert "Not Found" in record["message"] and record["request_id"] == "req-404"


def test_embedded_default_needs_no_environment(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.EMAIL_BACKEND)"  # noqa: E501
    clean = {k: v for k, v in os.environ.items()
             if k not in PRODUCTION_ENV and k not in {"REDIS_URL", "DATABASE_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                            env={**clean, "DJANGO_SETTINGS_MODULE": "dsp_portal.settings"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    engine, eager, email = result.stdout.split()
    assert engine.endswith("sqlite3")
    assert eager == "True"
    assert email.endswith("console.EmailBackend")


def test_production_holds_admins_to_mfa_on_pages_and_the_api():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.REQUIRE_ADMIN_MFA, 'accounts.permissions.AdminMfaSetUp' in"
        " settings.REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'], 'accounts.middleware.AdminMfaMiddleware' in"
        " settings.MIDDLEWARE)"
    )
    result = _run(["-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
