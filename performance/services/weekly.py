"""The weekly run: scorecards for the week that just ended and the one in progress (provisional), and
the ended week's draft statements. Idempotent: settled weeks are not touched, drafts are recomputed."""

from datetime import date, timedelta

from core.jobs import job_progress
from core.servicedays import service_today, service_week
from performance.services.scoring import scorecards_compute
from performance.services.settlement import statements_compute


def week_compute(*, week_start: date, job=None) -> dict:
    """Scorecards then statements (the statement's incentive reads the scorecard's tier)."""
    if job is not None:
        job_progress(job, phase="scorecards", force=True)
    cards = scorecards_compute(week_start=week_start)
    result = {"week_start": str(week_start), **{f"scorecards_{k}": v for k, v in cards.items()}}
    if week_start + timedelta(days=6) < service_today():
        if job is not None:
            job_progress(job, phase="statements", force=True)
        result.update({f"statements_{k}": v for k, v in statements_compute(week_start=week_start).items()})
    return result


def weeks_compute(*, today: date | None = None) -> list[dict]:
    """The beat job's work: last week (final figures, draft statements) and this week (provisional)."""
    this_week = service_week(day=today or service_today())[0]
    return [week_compute(week_start=this_week - timedelta(days=7)), week_compute(week_start=this_week)]
