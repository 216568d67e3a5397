"""Manifest import as a job: the upload is stored first (a row holding its bytes, bounded), then imported by a
task under a job (kind MANIFEST_JOB, subject the station-day's plan) whose phases the page and the API read:
reading, validating (rows checked of rows), writing. One import per station-day at a time; a second is refused
with a sentence (code `import_busy`), and one whose worker died (stale) is replaced when started again.

Row errors end the job failed with the error envelope as its result (the first 50 rows named, the count in the
sentence) and nothing written. The bytes are dropped once the rows are imported or refused.
"""

import csv
import gzip
import io
from datetime import date, timedelta
from itertools import islice

import orjson
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.jobs import job_active, job_dispatch, job_open, job_progress
from core.models import Job
from core.taskqueue import task_named
from routes.models import ManifestUpload, Package, Station
from routes.services.manifests import (
    MAX_ROWS,
    ManifestCheck,
    manifest_check,
    manifest_import,
    manifest_rows_from_csv,
)
from routes.services.planning import plan_for_day

MANIFEST_JOB = "routes.manifest_import"
MAX_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 15
UNCONFIRMED_KEPT = timedelta(days=1)  # a previewed file nobody imported is dropped after this


def _too_big() -> ValidationFailed:
    message = _("The manifest is larger than %(mb)s MB; split it into smaller files.") % {"mb": MAX_BYTES // 2**20}
    return ValidationFailed(message, code="file_too_large", fields={"file": [message]})


def _too_many(n: int) -> ValidationFailed:
    message = _("The manifest has %(n)s rows; at most %(max)s are accepted per file.") % {"n": n, "max": MAX_ROWS}
    return ValidationFailed(message, code="too_many_rows", fields={"file": [message]})


def manifest_upload_store(*, station: Station, service_date: date, file=None, rows: list[dict] | None = None,
                          by=None) -> ManifestUpload:
    """Keep an uploaded manifest for its import: a CSV `file` (an uploaded file), or the API's JSON `rows`.
    Refuses, with a sentence, a file too large, unreadable, without the required columns or with too many rows.
    Drops the files previewed but never imported."""
    name = ""
    if rows is not None:
        # orjson: a tenth of json's time on a 10,000-row manifest, the same compact JSON (UTF-8, not \u escapes)
        content, fmt, count = orjson.dumps(rows), ManifestUpload.Format.JSON, len(rows)
    else:
        if file is None:
            raise ValidationFailed(_("Choose a file to upload."), fields={"file": [_("This file is required.")]})
        if file.size > MAX_BYTES:
            raise _too_big()
        name, content, fmt = file.name or "", file.read(), ManifestUpload.Format.CSV
        count = len(manifest_rows_from_csv(content))  # the header checked, every line read
    if len(content) > MAX_BYTES:
        raise _too_big()
    if count > MAX_ROWS:
        raise _too_many(count)
    ManifestUpload.objects.filter(job=None, created_at__lt=timezone.now() - UNCONFIRMED_KEPT).delete()
    return ManifestUpload.objects.create(
        station=station, service_date=service_date, format=fmt, name=name[:200], content=_packed(content),
        size=len(content), rows=count, uploaded_by=by if by is not None and by.is_authenticated else None)


_GZIP = b"\x1f\x8b"  # never the start of UTF-8 text (0x8b cannot follow 0x1f): a stored file is one or the other


def _packed(content: bytes) -> bytes:
    """The bytes as stored: gzip at its fastest level (a 4 MB manifest in ~10 ms, to a fifth of its size or less),
    so writing the row and the worker's reading it back move a fraction of the bytes (~0.2 s of a 10,000-row
    upload otherwise)."""
    return gzip.compress(content, compresslevel=1, mtime=0)


def _content(upload: ManifestUpload) -> bytes:
    """The uploaded file's bytes (stored packed, or plain by an older version)."""
    stored = bytes(upload.content or b"")
    return gzip.decompress(stored) if stored[:2] == _GZIP else stored


def _rows(upload: ManifestUpload) -> list[dict]:
    content = _content(upload)
    if upload.format == ManifestUpload.Format.JSON:
        return orjson.loads(content)
    return manifest_rows_from_csv(content)


def manifest_preview(*, upload: ManifestUpload) -> ManifestCheck:
    """The first rows checked, for the page to show before the import (the import checks every row)."""
    content = _content(upload).decode("utf-8-sig", errors="replace")
    if upload.format == ManifestUpload.Format.JSON:
        head = orjson.loads(content)[:PREVIEW_ROWS]
    else:
        head = list(islice(csv.DictReader(io.StringIO(content)), PREVIEW_ROWS))
    return manifest_check(station=upload.station, service_date=upload.service_date, rows=head)


# -- the job ---------------------------------------------------------------------------------------

def manifest_live_job(*, upload: ManifestUpload) -> Job | None:
    """The upload's import job while it runs and its worker is heard from."""
    job = upload.job
    return job if job is not None and job.active and not job.stale else None


def _kept(upload: ManifestUpload) -> bool:
    """Its bytes are still here (asked without loading them)."""
    return ManifestUpload.objects.filter(pk=upload.pk, content__isnull=False).exists()


def manifest_can_start(*, upload: ManifestUpload) -> bool:
    """Its bytes are still here (never imported, or its job died or broke) and no live job reads them."""
    return manifest_live_job(upload=upload) is None and _kept(upload)


def _busy(*, plan) -> Conflict:
    running = job_active(kind=MANIFEST_JOB, subject=plan)
    when = timezone.localtime(running.created_at).strftime("%H:%M") if running is not None else "?"
    return Conflict(_("A manifest for %(station)s on %(day)s is already being imported (started at %(when)s); "
                      "wait for it to finish.") % {"station": plan.station.code, "day": plan.service_date,
                                                   "when": when}, code="import_busy")


def manifest_import_start(*, upload: ManifestUpload, by=None) -> Job:
    """Import a stored upload as a task and return its job at once (the page and the API poll it). A second
    import for the same station-day while one runs is refused with a sentence (code `import_busy`)."""
    if not _kept(upload):
        raise ValidationFailed(_("This file was already imported or refused; upload it again."),
                               code="upload_used")
    plan = plan_for_day(station=upload.station, service_date=upload.service_date, by=by)
    with transaction.atomic():
        try:
            job = job_open(kind=MANIFEST_JOB, subject=plan, by=by)
        except Conflict as exc:
            if exc.code != "job_running":
                raise
            raise _busy(plan=plan) from exc
        ManifestUpload.objects.filter(pk=upload.pk).update(job=job)
    upload.job = job
    # after the link is committed: the task reads it
    job_dispatch(job=job, task=task_named("routes.manifest_import_job"))
    return job


def _reporter(job: Job):
    def report(phase=None, **counts):
        job_progress(job, phase=phase, **counts)

    return report


def _drop_content(upload: ManifestUpload) -> None:
    ManifestUpload.objects.filter(pk=upload.pk).update(content=None)


def manifest_import_for_job(*, job: Job) -> dict:
    """The task's side: read the job's upload, import it with progress, drop its bytes. Row errors raise
    (the job fails with them listed) and write nothing."""
    upload = ManifestUpload.objects.select_related("station").filter(job=job).first()
    if upload is None or not upload.content:
        raise ValidationFailed(_("The uploaded file is no longer here; upload it again."), code="upload_missing")
    report = _reporter(job)
    report("reading", rows=upload.rows)
    try:
        rows = _rows(upload)
        result = manifest_import(station=upload.station, service_date=upload.service_date, rows=rows,
                                 progress=report)
    except ValidationFailed:
        _drop_content(upload)  # the file must be fixed and sent again
        raise
    _drop_content(upload)
    return {"upload": upload.pk, "station": upload.station.code, "service_date": upload.service_date.isoformat(),
            "rows": len(rows), "created": len(result.rows), "duplicates": result.duplicates,
            "packages": Package.objects.filter(station=upload.station, service_date=upload.service_date).count()}
