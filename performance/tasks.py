"""Celery tasks: thin wrappers that pass ids and call one service."""

from datetime import date, timedelta

from celery import shared_task

from core.jobs import job_run
from performance.models import SettlementWeek
from performance.services import payouts, weekly

JOB_COMPUTE = "performance.week_compute"
JOB_PAY = "performance.week_pay"


@shared_task(name="performance.tasks.weeks_compute", acks_late=True)
def weeks_compute():
    """The beat: last week final, this week provisional (idempotent)."""
    return weekly.weeks_compute()


@shared_task(name="performance.tasks.week_compute_job", acks_late=True)
def week_compute_job(job_id: int):
    def work(job):
        week = SettlementWeek.objects.get(pk=int(job.subject_id))
        return weekly.week_compute(week_start=week.week_start, job=job)
    return job_run(job_id=job_id, work=work)


@shared_task(name="performance.tasks.week_pay_job", acks_late=True)
def week_pay_job(job_id: int):
    def work(job):
        week = SettlementWeek.objects.get(pk=int(job.subject_id))
        return payouts.week_pay(week_start=week.week_start, by=job.started_by)
    return job_run(job_id=job_id, work=work)


def week_row(week_start: date) -> SettlementWeek:
    row, _created = SettlementWeek.objects.get_or_create(week_start=week_start,
                                                         defaults={"week_end": week_start + timedelta(days=6)})
    return row
