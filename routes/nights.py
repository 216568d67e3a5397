"""Reading a night (the page, the API, the metrics): its stations' states with the solving ones' progress, and
stations done over time, drawn as SVG on the server (no JavaScript, no chart library)."""

from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.models import Job
from routes.models import Plan, PlanningNight, PlanningRun
from routes.services.planning import PLAN_JOB
from routes.views.jobs import job_progress_view

R = PlanningRun.Result
DONE = (R.PLANNED, R.SKIPPED, R.FAILED)


def night_list(*, limit: int = 30):
    return PlanningNight.objects.order_by("-night_of")[:limit]


def night_get(*, night_id: int | None = None) -> PlanningNight | None:
    """The night asked for, or the latest one."""
    qs = PlanningNight.objects.all()
    return qs.filter(pk=night_id).first() if night_id is not None else qs.order_by("-night_of").first()


def night_runs(*, night: PlanningNight):
    return night.runs.select_related("station").order_by("station__code")


def night_counts(*, night: PlanningNight) -> dict:
    counts = dict(night.runs.values_list("result").annotate(n=Count("id")).order_by())
    out = {state: counts.get(state, 0) for state in R.values}
    out["done"] = sum(out[s] for s in DONE)
    out["total"] = night.stations
    return out


def runs_progress(runs) -> dict[int, dict]:
    """The running runs' job progress by run id: one query for all of them."""
    plans = {r.plan_id: r.pk for r in runs if r.result == R.RUNNING and r.plan_id}
    if not plans:
        return {}
    jobs = Job.objects.filter(kind=PLAN_JOB, subject_type=Plan._meta.label_lower,
                              subject_id__in=[str(p) for p in plans], status__in=Job.ACTIVE)
    return {plans[int(job.subject_id)]: job_progress_view(job) for job in jobs}


def night_series(*, night: PlanningNight) -> list[tuple[float, int]]:
    """(seconds since the night started, stations done by then), one point per station done."""
    ends = sorted(night.runs.filter(result__in=DONE, finished_at__isnull=False).values_list("finished_at", flat=True))
    return [(max(0.0, (end - night.started_at).total_seconds()), n) for n, end in enumerate(ends, start=1)]


def night_station_seconds(*, night: PlanningNight) -> list[float]:
    """How long each saved station took (its last attempt)."""
    rows = night.runs.filter(result=R.PLANNED, finished_at__isnull=False).values_list("started_at", "finished_at")
    return sorted((end - start).total_seconds() for start, end in rows)


# -- the chart ----------------------------------------------------------------------------------------------

W, H, LEFT, BOTTOM, TOP, RIGHT = 640, 220, 48, 28, 12, 16


def _elapsed(seconds: float, span: float) -> str:
    if span >= 5400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if span >= 600 else f"{seconds:.0f} s"


def night_chart_svg(*, night: PlanningNight, series: list[tuple[float, int]] | None = None) -> str:
    """Stations done over time as a step line, with the total as a dashed line."""
    series = night_series(night=night) if series is None else series
    total = max(night.stations, 1)
    span = max([t for t, _n in series] + [60.0])
    x = lambda t: LEFT + (W - LEFT - RIGHT) * t / span  # noqa: E731
    y = lambda n: TOP + (H - TOP - BOTTOM) * (1 - n / total)  # noqa: E731
    points, last = [f"{x(0):.1f},{y(0):.1f}"], 0
    for t, n in series:
        points += [f"{x(t):.1f},{y(last):.1f}", f"{x(t):.1f},{y(n):.1f}"]
        last = n
    ticks = format_html_join("", '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                             ((f"{x(span * k / 4):.1f}", H - 8, _elapsed(span * k / 4, span)) for k in range(5)))
    title = _("Stations done over time: %(done)s of %(total)s") % {"done": last, "total": night.stations}
    return format_html(
        '<svg id="night-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
        '<line x1="{l}" y1="{top}" x2="{r}" y2="{top}" stroke="#adb5bd" stroke-dasharray="4 3"/>'
        '<line x1="{l}" y1="{base}" x2="{r}" y2="{base}" stroke="#6c757d"/>'
        '<text x="{lm}" y="{tt}" font-size="11" text-anchor="end">{total}</text>'
        '<text x="{lm}" y="{base}" font-size="11" text-anchor="end">0</text>'
        '<polyline fill="none" stroke="#198754" stroke-width="2" points="{points}"/>{ticks}</svg>',
        w=W, h=H, title=title, l=LEFT, r=W - RIGHT, top=f"{y(total):.1f}", base=f"{y(0):.1f}", lm=LEFT - 6,
        tt=f"{y(total) + 4:.1f}", total=night.stations, points=mark_safe(" ".join(points)),  # noqa: S308
        ticks=ticks)
