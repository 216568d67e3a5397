"""Long work as a job: a row the page and the API read, one active job of a kind per object at a time.

    job = job_start(kind="routes.plan", subject=plan, task=tasks.plan_build_job, by=request.user)

`job_start` refuses a second active job for the same (kind, subject) with `Conflict(code="job_running")`,
unless the active one is stale (nothing heard from its worker for longer than its lease): that one is
marked failed ("worker stopped") and replaced. The task receives the job's id and calls `job_run`, which
claims the job, runs the work, and marks it done or failed; the work reports `job_progress` (throttled
writes, which are also the heartbeat).

Where the task runs: with a broker, a Celery worker (`task.delay(job_id)` after commit). On the embedded
default (CELERY_TASK_ALWAYS_EAGER) a background thread in this process after commit, so the request answers
at once; with JOBS_RUN_SYNC (tests) right away, in the caller, so a test sees the effect.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from core.models import Job

logger = logging.getLogger(__name__)

def _subject_key(subject) -> tuple[str, str]:
    meta = subject._meta
    return f"{meta.app_label}.{meta.model_name}", str(subject.pk)


def _lease(lease: int | None) -> int:
    return int(lease if lease is not None else settings.JOBS_LEASE_SECONDS)


# -- reading ---------------------------------------------------------------------------------------

def job_active(*, kind: str, subject) -> Job | None:
    """The queued or running job of `kind` for `subject` (stale or not), if any."""
    subject_type, subject_id = _subject_key(subject)
    return Job.objects.filter(kind=kind, subject_type=subject_type, subject_id=subject_id,
                              status__in=Job.ACTIVE).first()


def job_latest(*, kind: str, subject) -> Job | None:
    subject_type, subject_id = _subject_key(subject)
    return Job.objects.filter(kind=kind, subject_type=subject_type, subject_id=subject_id) \
        .order_by("-created_at", "-id").first()


# -- starting --------------------------------------------------------------------------------------

def job_open(*, kind: str, subject, by=None, lease: int | None = None) -> Job:
    """A new queued job; a stale active one is failed first. Raises Conflict when a live one runs."""
    subject_type, subject_id = _subject_key(subject)
    started_by = by if by is not None and by.is_authenticated else None
    for _attempt in range(2):
        current = job_active(kind=kind, subject=subject)
        if current is not None:
            if not current.stale:
                raise Conflict(_("This is already running (started %(when)s); wait for it to finish.")
                               % {"when": timezone.localtime(current.created_at).strftime("%H:%M:%S")},
                               code="job_running")
            job_fail(current, error=_("The worker stopped (nothing heard from it for %(s)s seconds).")
                     % {"s": current.lease_seconds})
        try:
            with transaction.atomic():
                return Job.objects.create(kind=kind, subject_type=subject_type, subject_id=subject_id,
                                          started_by=started_by, lease_seconds=_lease(lease))
        except IntegrityError:  # another request started one between our look and our insert
            continue
    raise Conflict(_("This is already running; wait for it to finish."), code="job_running")


def job_start(*, kind: str, subject, task, by=None, lease: int | None = None) -> Job:
    """Open a job and hand it to `task` (a Celery task taking the job's id)."""
    job = job_open(kind=kind, subject=subject, by=by, lease=lease)
    job_dispatch(job=job, task=task)
    return job


def job_dispatch(*, job: Job, task) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.JOBS_RUN_SYNC:
        task.apply(args=[job.pk])
    elif settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: _thread_start(task, job.pk))
    else:
        transaction.on_commit(lambda: _send(task, job.pk))


def _send(task, job_id: int) -> None:
    try:
        task.delay(job_id)
    except Exception:  # the broker is down: say so on the job instead of leaving it queued forever
        logger.exception("could not queue job %s", job_id)
        job = Job.objects.filter(pk=job_id).first()
        if job is not None:
            job_fail(job, error=_("The job queue could not be reached; try again."))


def _thread_start(task, job_id: int) -> threading.Thread:
    thread = threading.Thread(target=_thread_run, args=(task, job_id), name=f"job-{job_id}", daemon=True)
    thread.start()
    return thread


def _thread_run(task, job_id: int) -> None:
    try:
        task.apply(args=[job_id], throw=False)
    finally:
        connections.close_all()  # this thread's own database connections


# -- running ---------------------------------------------------------------------------------------

def job_run(*, job_id: int, work: Callable[[Job], Any]) -> Any:
    """Claim the job (queued -> running) and run `work(job)`. A job already claimed (a redelivered
    message) or replaced is left alone and None returned. A DomainError fails the job with its own sentence and
    its envelope (`{code, detail, fields}`) as the result; any other exception with a sentence naming it."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None
        job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
    try:
        result = work(job)
    except DomainError as exc:
        job_fail(job, error=exc.detail, result=exc.as_dict())
        return None
    except Exception as exc:
        logger.exception("job %s failed", job)
        job_fail(job, error=_("The job stopped with an error (%(error)s).") % {"error": exc.__class__.__name__})
        return None
    if not getattr(job, "_continues", False):
        job_finish(job, result=result if isinstance(result, dict) else None)
    return result


def job_continues(job: Job) -> None:
    """The work goes on elsewhere (a chord): `job_run` leaves the job running, and whatever ends the work
    calls `job_finish` or `job_fail`; until then its tasks' progress is the heartbeat."""
    job._continues = True


def job_progress(job: Job, *, phase: str | None = None, force: bool = False, **progress) -> bool:
    """Record the phase and progress (merged into `progress`), at most every JOBS_PROGRESS_EVERY seconds
    unless the phase changes or `force`. Also the heartbeat. False when the job is no longer running
    (it was replaced as stale): the caller may stop."""
    moved = phase is not None and phase != job.phase
    if phase is not None:
        job.phase = phase
    job.progress = {**job.progress, **progress}  # kept on the instance; the next write carries it
    now = time.monotonic()
    if not (moved or force or now - getattr(job, "_written", 0.0) >= settings.JOBS_PROGRESS_EVERY):
        return True
    job._written = now
    return bool(Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        phase=job.phase, progress=job.progress, heartbeat_at=timezone.now()))


def job_report(*, job_id: int, phase: str | None = None, **progress) -> None:
    """`job_progress` for a task that holds only the job's id (a chord's tasks)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is not None:
        job_progress(job, phase=phase, force=True, **progress)


def job_progress_add(*, job_id: int, add: dict[str, int | float], **progress) -> None:
    """Add to counters in the job's progress under a row lock (parallel tasks of one job)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=Job.Status.RUNNING).first()
        if job is None:
            return
        sums = {key: (job.progress.get(key) or 0) + n for key, n in add.items()}
        job.progress = {**job.progress, **progress, **sums}
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["progress", "heartbeat_at"])


def job_finish(job: Job, *, result: dict | None = None) -> None:
    Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(
        status=Job.Status.DONE, result=result or {}, finished_at=timezone.now(), heartbeat_at=timezone.now())
    job.status = Job.Status.DONE


def job_fail(job: Job, *, error: str, result: dict | None = None) -> None:
    """End the job as failed with a sentence; `result` may carry the details (a failed import's row errors)."""
    Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(
        status=Job.Status.FAILED, error=str(error)[:2000], result=result or {}, finished_at=timezone.now())
    job.status, job.error, job.result = Job.Status.FAILED, str(error)[:2000], result or {}


def job_still_running(job_id: int | None) -> bool:
    return job_id is None or Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).exists()
