"""Fault tests: the Redis behind the cache, the rate limits and the Celery broker dies under a running site.

Each test starts a redis-server of its own on a free port (never the machine's shared one), points the cache and
the broker at it, and stops only that process. With it gone the site keeps answering (rate limits fail open,
broker calls after commit are logged, not raised) and the e-mails wait in the outbox until the sweep sends them,
each once."""

import logging
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import cache as fail_open_cache
from core.mail import _lease, mail_queue, outbox_email_send
from core.models import OutboxEmail
from core.tasks import mail_sweep
from dsp_portal.celery import app as celery_app
from onboarding.models import Application
from tests.factories import PASSWORD, AdminFactory, UserFactory
from tests.onboarding.claim_factories import submitted_claim, veteran_partner
from tests.onboarding.factories import application_in

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class PrivateRedis:
    """A throwaway redis-server (no persistence) on a free loopback port."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):  # up to ~5 s for the server to accept connections
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _reset_celery_connections():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis(settings, monkeypatch):
    """Cache, throttles, allauth's rate limits and the broker on a private Redis; tasks really queued (not eager).

    The test calls `site_attach()` once its data exists, so the setup's own e-mails go out as usual."""
    server = PrivateRedis()
    server.start()
    monkeypatch.setattr(fail_open_cache, "outage", fail_open_cache._Outage())  # a fresh outage log per test
    saved = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}

    def site_attach():
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}  # resets the caches
        celery_app.conf.update(broker_url=server.url, task_always_eager=False)
        _reset_celery_connections()

    server.site_attach = site_attach
    try:
        yield server
    finally:
        celery_app.conf.update(**saved)
        _reset_celery_connections()
        server.stop()


def _sweep_after_grace():
    """The sweep takes over from the after-commit send a minute after an e-mail was written: be a minute later."""
    OutboxEmail.objects.filter(sent_at__isnull=True).update(created_at=timezone.now() - timedelta(minutes=2))
    return mail_sweep()


@pytest.mark.django_db(transaction=True)
def test_with_redis_gone_the_site_answers_and_the_emails_go_out_once_when_it_returns(
        private_redis, client, token_client, caplog):
    member = UserFactory()
    api = token_client(member)
    application = application_in("in_review")
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    admin = AdminFactory()
    mail.outbox.clear()
    private_redis.site_attach()
    assert client.get("/accounts/login/").status_code == 200  # the cache works before the fault

    private_redis.stop()
    caplog.set_level(logging.WARNING)
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert api.get("/api/v1/me/").status_code == 200
    client.force_login(admin)
    response = client.post(reverse("onboarding:review_decide", args=[application.pk]),
                           {"decision": "reject", "note": "Outside the program's area."})
    assert response.status_code == 302
    response = client.post(reverse("onboarding:claim_decide", args=[claim.pk]),
                           {"decision": "reject", "note": "Not a start-up expense."})
    assert response.status_code == 302
    application.refresh_from_db()
    claim.refresh_from_db()
    assert (application.status, claim.status) == (Application.Status.REJECTED, "rejected")

    cache_warnings = [r for r in caplog.records if r.name == "core.cache" and r.levelno == logging.WARNING]
    assert len(cache_warnings) == 1, "one line for the outage, not one per request"
    assert any(r.name == "core.taskqueue" and "not queued" in r.getMessage() for r in caplog.records)
    waiting = {e.to[0]: e for e in OutboxEmail.objects.filter(sent_at__isnull=True)}
    assert set(waiting) == {application.applicant.email, owner.email}
    assert mail.outbox == []

    private_redis.start()
    assert _sweep_after_grace() == 2
    assert _sweep_after_grace() == 0
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == sorted([
        (application.applicant.email, f"[DSP Portal] A decision on your application #{application.pk}"),
        (owner.email, f"[DSP Portal] A decision on your reimbursement claim #{claim.pk}")])
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_sender_died_mid_send_goes_out_once_after_the_lease():
    email = mail_queue(to=["owner@example.com"], subject="Hello", body="Once.")
    assert len(mail.outbox) == 1  # the embedded default: sent right after commit, in-process
    OutboxEmail.objects.filter(pk=email.pk).update(sent_at=None, attempts=0, next_attempt_at=None)
    mail.outbox.clear()

    assert _lease(email.pk) is not None  # a worker takes the lease and is killed before it marks the e-mail sent
    assert _sweep_after_grace() == 0  # the lease holds: no second sender while it may still be sending
    assert outbox_email_send(email_id=email.pk) is None  # nor the broker's redelivery of the killed task (acks_late)
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert _sweep_after_grace() == 1
    assert _sweep_after_grace() == 0
    assert [m.subject for m in mail.outbox] == ["Hello"]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_rate_limits_count_again_once_redis_returns(private_redis, token_client, monkeypatch):
    """The throttle keeps one Redis connection per thread: with Redis gone a request passes (fails open), and once
    Redis is back the next request reconnects and the window counts again, down to a 429."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "3/min"})
    api = token_client(UserFactory())
    private_redis.site_attach()
    assert api.get("/api/v1/me/").headers["X-RateLimit-Remaining"] == "2"

    private_redis.stop()
    for _ in range(5):
        assert api.get("/api/v1/me/").status_code == 200  # fails open: nothing counts

    private_redis.start()
    remaining = [api.get("/api/v1/me/") for _ in range(4)]
    assert [r.status_code for r in remaining] == [200, 200, 200, 429]  # a new window on the new server
    assert [r.headers["X-RateLimit-Remaining"] for r in remaining[:3]] == ["2", "1", "0"]


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_flag_fails_open_and_is_kept_again_once_redis_returns(private_redis):
    """`core.cache.add_flag` (a batch's "a webhook dispatch is queued" flag) on the thread's kept connection: with
    Redis gone it answers True (queue the task: the sweep is the backstop), and once Redis is back it reconnects
    and the flag is kept again."""
    private_redis.site_attach()
    assert fail_open_cache.add_flag("fault:flag", 30) is True
    assert fail_open_cache.add_flag("fault:flag", 30) is False

    private_redis.stop()
    assert fail_open_cache.add_flag("fault:flag", 30) is True
    assert fail_open_cache.outage.down_since is not None

    private_redis.start()  # an empty server
    assert fail_open_cache.add_flag("fault:flag", 30) is True
    assert fail_open_cache.add_flag("fault:flag", 30) is False
    assert fail_open_cache.outage.down_since is None


@pytest.mark.django_db(transaction=True)
def test_expanded_stops_are_written_afresh_with_redis_gone_and_kept_again_once_it_returns(
        private_redis, token_client):
    """`?expand=stops` keeps each route's stops JSON in Redis: with Redis gone the page is still whole (every
    route's JSON written by the database, one outage log), and once Redis is back it is kept again."""
    from routes.api.stops import _kept_key
    from tests.core.test_api_lists import DAY, _routes
    from tests.onboarding.factories import partner_with_owner

    partner, owner = partner_with_owner()
    routes = _routes(partner, 2, stops=3)
    api = token_client(owner)
    private_redis.site_attach()
    params = {"date": DAY.isoformat(), "expand": "stops"}
    whole = [api.get(f"/api/v1/routes/routes/{r.pk}/").json() for r in routes]
    assert api.get("/api/v1/routes/routes/", params).json()["results"] == whole
    assert all(fail_open_cache.raw_get_many([_kept_key(r.pk) for r in routes]))

    private_redis.stop()
    assert api.get("/api/v1/routes/routes/", params).json()["results"] == whole
    assert fail_open_cache.outage.down_since is not None

    private_redis.start()  # an empty server
    assert api.get("/api/v1/routes/routes/", params).json()["results"] == whole
    assert all(fail_open_cache.raw_get_many([_kept_key(r.pk) for r in routes]))
    assert fail_open_cache.outage.down_since is None
