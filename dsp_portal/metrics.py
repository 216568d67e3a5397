"""/metrics: what an operator scrapes during the night, in the Prometheus text format (prometheus_client).

Read from the shared state at scrape time (Redis lists for queue depths, the database for the rest), not counted in
one process's memory: the web tier has many processes and the workers are on other hosts, so any web process
answers the same. Allowed with `Authorization: Bearer <METRICS_TOKEN>` or to a signed-in program admin."""

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from accounts.permissions import user_has_perm

logger = logging.getLogger(__name__)

QUEUES = ("solver", "short")
DURATION_BUCKETS = (30, 60, 120, 180, 300, 600, 900, 1800)
PRIORITY_SEP = "\x06\x16"  # kombu's Redis transport keeps priorities 3, 6, 9 in lists named queue + sep + n


def _redis():
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
                                socket_timeout=settings.REDIS_SOCKET_TIMEOUT)


class BrokerCollector:
    """Messages waiting per queue, and messages taken by a worker and not yet acknowledged (running or reserved)."""

    def collect(self):
        depth = GaugeMetricFamily("dsp_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        unacked = GaugeMetricFamily("dsp_celery_tasks_unacked",
                                    "Tasks a worker has taken and not yet acknowledged (running or reserved)")
        up = GaugeMetricFamily("dsp_celery_broker_up", "1 when the Redis broker answered this scrape")
        client = _redis()
        try:
            if client is None:
                raise ConnectionError("no Redis broker configured")
            with client.pipeline() as pipe:
                for queue in QUEUES:
                    for key in [queue] + [f"{queue}{PRIORITY_SEP}{n}" for n in (3, 6, 9)]:
                        pipe.llen(key)
                pipe.hlen("unacked")
                counts = pipe.execute()
        except Exception as exc:  # noqa: BLE001 - a scrape reports the broker down instead of failing
            logger.info("metrics: broker unavailable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        for k, queue in enumerate(QUEUES):
            depth.add_metric([queue], sum(counts[4 * k: 4 * k + 4]))
        unacked.add_metric([], counts[-1])
        up.add_metric([], 1)
        yield from (depth, unacked, up)


class WorkCollector:
    """Jobs running, the latest night's stations by state and their plan durations, failures, outbox backlog."""

    def collect(self):
        from core.models import Job, OutboxEmail, OutboxEvent
        from integrations.models import WebhookDelivery
        from routes.models import PlanningNight, PlanningRun

        jobs = GaugeMetricFamily("dsp_jobs_running", "Jobs running now, by kind", labels=["kind"])
        for kind, n in Job.objects.filter(status=Job.Status.RUNNING).values_list("kind").annotate(n=Count("id")):
            jobs.add_metric([kind], n)
        yield jobs
        night = PlanningNight.objects.order_by("-night_of").first()
        stations = GaugeMetricFamily("dsp_night_stations", "The latest night's stations by state", labels=["state"])
        if night is not None:
            counts = dict(night.runs.values_list("result").annotate(n=Count("id")).order_by())
            for state in PlanningRun.Result.values:
                stations.add_metric([state], counts.get(state, 0))
        yield stations
        yield self._durations(night)
        since = timezone.now() - timedelta(hours=24)
        failed = GaugeMetricFamily("dsp_planning_runs_failed_24h", "Station runs failed in the last 24 hours")
        failed.add_metric([], PlanningRun.objects.filter(result=PlanningRun.Result.FAILED,
                                                         finished_at__gte=since).count())
        yield failed
        backlog = GaugeMetricFamily("dsp_outbox_backlog", "Outbox rows not yet sent or delivered", labels=["kind"])
        backlog.add_metric(["email"], OutboxEmail.objects.filter(sent_at__isnull=True).count())
        backlog.add_metric(["event"], OutboxEvent.objects.filter(dispatched_at__isnull=True).count())
        backlog.add_metric(["webhook"], WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED]).count())
        yield backlog

    def _durations(self, night):
        from routes.nights import night_station_seconds

        seconds = night_station_seconds(night=night) if night is not None else []
        buckets = [(str(b), sum(1 for s in seconds if s <= b)) for b in DURATION_BUCKETS]
        return HistogramMetricFamily("dsp_night_station_seconds", "The latest night's saved stations: seconds from "
                                     "claim to saved plan", buckets=[*buckets, ("+Inf", len(seconds))],
                                     sum_value=sum(seconds))


def registry() -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    reg.register(BrokerCollector())
    reg.register(WorkCollector())
    return reg


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    return request.user.is_authenticated and user_has_perm(request.user, "console.view")


def metrics(request):
    if not _allowed(request):
        response = HttpResponse("Sign in as a program admin or send the metrics token.\n", status=401,
                                content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
