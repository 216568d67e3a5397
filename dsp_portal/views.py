import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import permission_required
from dsp_portal.console import console_panels

logger = logging.getLogger(__name__)


def landing(request):
    return render(request, "landing.html")


@login_required
def dashboard(request):
    return render(request, "dashboard.html")


@permission_required("console.view")
def console(request):
    return render(request, "console.html", {"panels": console_panels()})


@require_GET
@never_cache
def healthz(request):
    """The process is up. Touches nothing else, so a slow database never restarts web workers."""
    return JsonResponse({"status": "ok"})


def _check_database():
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def _check_cache():
    cache.set("readyz", "1", 5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def _check_broker():
    from dsp_portal.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("memory://"):
        return "in-process"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@require_GET
@never_cache
def readyz(request):
    """Database, cache and broker reachable: 200; any of them not: 503 with which one."""
    checks, ready = {}, True
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # noqa: BLE001 - readiness reports any failure, whatever its type
            logger.warning("readyz: %s unavailable: %s", name, exc)
            checks[name] = f"unavailable: {exc.__class__.__name__}"
            ready = False
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _error(request, template, status, code, detail):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, "errors/400.html", 400, "bad_request", "Bad request.")


def permission_denied(request, exception=None):
    return _error(request, "errors/403.html", 403, "permission_denied", "You do not have permission to do that.")


def page_not_found(request, exception=None):
    return _error(request, "errors/404.html", 404, "not_found", "Not found.")


def server_error(request):
    return _error(request, "errors/500.html", 500, "server_error", "Something went wrong on our side.")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the one icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
