"""Manifest import as a job: stored first, imported under a job with phases, one per station-day at a time, a dead
one started again, row errors failing the job with nothing written; the page and the API read it."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.jobs import job_open
from core.models import Job
from routes.models import ManifestUpload, Package
from routes.services import MANIFEST_JOB, manifest_import_start, manifest_upload_store
from routes.services.planning import plan_for_day
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db


def rows(n, prefix="M", bad=()):
    """n manifest rows; those numbered in `bad` (1-based) have a latitude that is not a number."""
    return [{"tracking_id": f"{prefix}{k}", "address_line1": f"{k} Pike St", "city": "Seattle",
             "latitude": "north" if k in bad else "47.60", "longitude": f"{-122.33 + k * 0.0001:.4f}"}
            for k in range(1, n + 1)]


def csv_file(data, name="m.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(data[0]))
    writer.writeheader()
    writer.writerows(data)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def api_url(station):
    return f"/api/v1/routes/stations/{station.code}/manifests/"


def page_url(upload):
    return reverse("routes:manifest_import", args=[upload.station.code, upload.pk])


@pytest.fixture
def planner(client, make_user):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    return client


@pytest.fixture
def integrator(token_client, make_user):
    return token_client(make_user(role=Role.INTEGRATOR))


def test_a_second_import_for_the_same_day_while_one_runs_is_refused_on_the_page_and_the_api(
        planner, integrator, station, day):
    running = job_open(kind=MANIFEST_JOB, subject=plan_for_day(station=station, service_date=day))  # live
    upload = manifest_upload_store(station=station, service_date=day, file=csv_file(rows(5)))

    response = planner.post(page_url(upload))
    assert response.status_code == 302
    assert any("already being imported" in str(m) for m in get_messages(response.wsgi_request))
    page = planner.get(page_url(upload)).content.decode()
    assert 'id="import-start"' in page  # its own file may be imported once the other one is done

    again = integrator.post(api_url(station), {"service_date": day.isoformat(), "rows": rows(5)}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "import_busy"
    assert "already being imported" in again.json()["detail"]
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]
    assert Package.objects.count() == 0

    other_day = integrator.post(api_url(station), {"service_date": (day + timedelta(days=1)).isoformat(),
                                                   "rows": rows(5)}, format="json")
    assert other_day.status_code == 202 and other_day.json()["status"] == "done"  # one per station-day only


def test_an_import_whose_worker_died_is_shown_and_can_be_run_again(planner, station, day):
    upload = manifest_upload_store(station=station, service_date=day, file=csv_file(rows(8)))
    dead = job_open(kind=MANIFEST_JOB, subject=plan_for_day(station=station, service_date=day))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=dead.pk).update(status=Job.Status.RUNNING, created_at=an_hour_ago,
                                          heartbeat_at=an_hour_ago, phase="validating")
    ManifestUpload.objects.filter(pk=upload.pk).update(job=dead)

    page = planner.get(page_url(upload)).content.decode()
    assert 'id="import-stale"' in page and 'id="import-start"' in page and 'id="import-job"' not in page

    planner.post(page_url(upload))

    dead.refresh_from_db()
    upload.refresh_from_db()
    assert dead.status == Job.Status.FAILED and "worker stopped" in dead.error
    assert upload.job.status == Job.Status.DONE and upload.job.result["created"] == 8
    assert Package.objects.filter(station=station, service_date=day).count() == 8
    page = planner.get(page_url(upload)).content.decode()
    assert 'id="import-result"' in page and 'id="import-start"' not in page  # imported: its bytes are gone


def test_an_import_writes_its_phases_and_counts_to_the_job_as_it_goes(station, day, settings, monkeypatch):
    import routes.services.manifest_jobs as manifest_jobs

    settings.JOBS_PROGRESS_EVERY = 0  # every report is written, so the spy sees each one
    seen, real = [], manifest_jobs.job_progress

    def spy(job, *, phase=None, **progress):
        wrote = real(job, phase=phase, **progress)
        row = Job.objects.get(pk=job.pk)
        seen.append((row.phase, row.progress.get("rows_checked")))
        return wrote

    monkeypatch.setattr(manifest_jobs, "job_progress", spy)
    upload = manifest_upload_store(station=station, service_date=day, rows=rows(1200))
    job = manifest_import_start(upload=upload)

    job.refresh_from_db()
    assert [phase for phase, _checked in seen if phase] == ["reading", "validating", "validating", "validating",
                                                           "writing"]
    assert [checked for phase, checked in seen if phase == "validating"] == [0, 500, 1000]
    assert job.status == Job.Status.DONE and job.phase == "writing"
    assert job.progress["rows"] == job.progress["rows_checked"] == 1200 and job.progress["to_write"] == 1200
    assert job.result == {"upload": upload.pk, "station": station.code, "service_date": day.isoformat(),
                          "rows": 1200, "created": 1200, "duplicates": 0, "packages": 1200}


def test_a_file_with_bad_rows_fails_the_job_listing_the_rows_and_writes_nothing(planner, integrator, station, day):
    bad = set(range(10, 70))  # 60 bad rows among 100
    started = integrator.post(api_url(station), {"service_date": day.isoformat(), "rows": rows(100, bad=bad)},
                              format="json")

    assert started.status_code == 202
    job = integrator.get(started.json()["url"]).json()
    assert job["status"] == "failed" and job["error"] == "60 row(s) have errors; nothing was imported."
    assert job["result"]["code"] == "manifest_invalid"
    listed = job["result"]["fields"]["rows"]
    assert len(listed) == 50 and listed[0] == "row 10, latitude: Not a number: north"
    assert Package.objects.count() == 0
    upload = ManifestUpload.objects.get()
    assert upload.content is None  # the file must be fixed and sent again

    page = planner.get(page_url(upload)).content.decode()
    assert 'id="import-failed"' in page and "60 row(s) have errors" in page
    assert page.count("latitude: Not a number") == 50 and 'id="import-start"' not in page


def test_the_api_takes_a_csv_file_answers_202_and_the_job_shows_the_result(integrator, token_client, station, day):
    started = integrator.post(api_url(station), {"service_date": day.isoformat(), "file": csv_file(rows(30))},
                              format="multipart")

    assert started.status_code == 202
    body = started.json()
    assert body["kind"] == MANIFEST_JOB and body["url"].endswith(f"/api/v1/routes/jobs/{body['id']}/")
    job = integrator.get(body["url"]).json()
    assert job["status"] == "done" and job["progress"]["phase"] == "writing"
    assert job["progress"]["rows_checked"] == 30 and job["plan"] == plan_for_day(station=station, service_date=day).pk
    assert {k: job["result"][k] for k in ("rows", "created", "duplicates", "packages")} == {
        "rows": 30, "created": 30, "duplicates": 0, "packages": 30}

    _partner, stranger = partner_with_owner()
    assert token_client(stranger).get(body["url"]).status_code == 404


def test_a_manifest_too_large_or_with_both_rows_and_a_file_is_refused_with_a_sentence(integrator, station, day,
                                                                                      monkeypatch):
    import routes.services.manifest_jobs as manifest_jobs

    both = integrator.post(api_url(station), {"service_date": day.isoformat(), "rows": "[]",
                                              "file": csv_file(rows(2))}, format="multipart")
    assert both.status_code == 400 and both.json()["fields"]
    monkeypatch.setattr(manifest_jobs, "MAX_BYTES", 100)
    big = integrator.post(api_url(station), {"service_date": day.isoformat(), "file": csv_file(rows(20))},
                          format="multipart")
    assert big.status_code == 400 and big.json()["code"] == "file_too_large"
    assert "split it into smaller files" in big.json()["detail"]
    assert not Job.objects.exists() and not ManifestUpload.objects.exists()


def test_api_rows_with_a_bad_recipient_e_mail_or_phone_fail_the_job_with_sentences_and_write_nothing(integrator,
                                                                                                     station, day):
    data = rows(3)
    data[0].update(recipient_email="ann@example.com", recipient_phone="+1 206 555 0100")
    data[1].update(recipient_email="ann at example dot com")
    data[2].update(recipient_phone="12345")
    started = integrator.post(api_url(station), {"service_date": day.isoformat(), "rows": data}, format="json")

    assert started.status_code == 202
    job = integrator.get(started.json()["url"]).json()
    assert job["status"] == "failed" and job["error"] == "2 row(s) have errors; nothing was imported."
    assert job["result"]["fields"]["rows"] == [
        "row 2, recipient_email: “ann at example dot com” is not an e-mail address (like name@example.com).",
        "row 3, recipient_phone: “12345” is not a US phone number (like 206-555-0100 or +1 206 555 0100)."]
    assert not Package.objects.exists()


def test_an_upload_is_stored_packed_and_one_stored_plain_before_still_previews_and_imports(station, day):
    """The bytes are kept gzip-packed (a fraction to write and read back); an upload kept plain by the version
    before is read as it is."""
    import orjson

    from routes.services import manifest_preview

    packed = manifest_upload_store(station=station, service_date=day, rows=rows(300))
    stored = bytes(ManifestUpload.objects.get(pk=packed.pk).content)
    assert stored[:2] == b"\x1f\x8b" and len(stored) < packed.size
    assert len(manifest_preview(upload=packed).packages) == 15

    plain = ManifestUpload.objects.create(station=station, service_date=day + timedelta(days=1),
                                          format=ManifestUpload.Format.JSON, content=orjson.dumps(rows(20, "P")),
                                          size=1, rows=20)
    assert [p.tracking_id for p in manifest_preview(upload=plain).packages][:2] == ["P1", "P2"]
    for upload in (packed, plain):
        job = manifest_import_start(upload=upload)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.error
    assert Package.objects.filter(service_date=day).count() == 300
    assert Package.objects.filter(service_date=day + timedelta(days=1)).count() == 20


def test_a_csv_file_is_stored_packed_and_imported_from_its_packed_bytes(integrator, station, day):
    started = integrator.post(api_url(station), {"service_date": day.isoformat(), "file": csv_file(rows(40))},
                              format="multipart")

    assert started.status_code == 202 and integrator.get(started.json()["url"]).json()["status"] == "done"
    assert Package.objects.filter(station=station, service_date=day).count() == 40
