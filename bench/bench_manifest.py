"""Manifest import benchmark: a seeded synthetic station-day of N rows imported three ways.

- `service_s`: `manifest_rows_from_csv` + `manifest_import` in the caller (the work itself); `service_cpu_s` is this
  process's CPU time for it (less bent by a busy machine than the wall clock; PostgreSQL's share is not in it);
- `api_answer_s`: POST of the rows as JSON to the API until the response (201 when the import runs in the request,
  202 when it runs as a job); the body is encoded once before the clock starts (a client sends bytes: the test
  client's own JSON encoding of 10,000 rows, ~0.1 s, is not the server's work);
- `api_done_s`: from the POST until the import is written (the job done, on the embedded default's thread; its
  row polled every 20 ms).

Uses its own database (default postgres://postgres@127.0.0.1:5432/dsp_bench_manifest), created and migrated by the
script; in-process Celery. Figures only, not a test; timings are wall clock on a shared machine (the load average
is printed with them).

    python bench/bench_manifest.py [--rows 10000] [--repeat 3] [--no-contacts]

Every row carries a recipient e-mail and phone (checked on import) unless --no-contacts.
"""

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dsp_bench_manifest"


def _setup_django():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.pop("REDIS_URL", None)  # in-process Celery: the job runs on a thread here
    os.environ["DJANGO_SETTINGS_MODULE"] = "dsp_portal.settings"
    from bench.bench_station_e2e import _create_database

    _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _wait_for_job(job_id, timeout=300.0):
    from core.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if not job.active:
            return job
        time.sleep(0.02)
    raise SystemExit(f"job {job_id} did not finish")


def run(size: int, repeat: int, contacts: bool = True) -> dict:
    _setup_django()
    from rest_framework.test import APIClient

    from accounts.models import Role, User
    from bench.bench_station_e2e import _clear, _rows, _station
    from routes.services import manifest_import, manifest_rows_from_csv

    station = _station()
    rows = _rows(size, 1)
    if contacts:  # written the ways a shipper's export does: the import normalises the phone to E.164
        rows = [{**row, "recipient_email": f"recipient.{k}@example.com",
                 "recipient_phone": f"(206) {200 + k // 10_000 % 800}-{k % 10_000:04d}"} for k, row in enumerate(rows)]
    data = _csv(rows)
    user, _ = User.objects.get_or_create(email="bench-manifest@example.com", defaults={"role": Role.INTEGRATOR})
    client = APIClient()
    client.force_authenticate(user)
    figures = {"service_s": [], "service_cpu_s": [], "api_answer_s": [], "api_done_s": []}
    for k in range(repeat):
        from datetime import date, timedelta

        day = date(2027, 4, 5) + timedelta(days=k)
        _clear(station, day)
        t0, c0 = time.monotonic(), time.process_time()
        manifest_import(station=station, service_date=day, rows=manifest_rows_from_csv(data))
        figures["service_s"].append(time.monotonic() - t0)
        figures["service_cpu_s"].append(time.process_time() - c0)
        _clear(station, day)
        encoded = json.dumps({"service_date": day.isoformat(), "rows": rows}).encode()
        t0 = time.monotonic()
        response = client.post(f"/api/v1/routes/stations/{station.code}/manifests/", encoded,
                               content_type="application/json")
        answered = time.monotonic()
        if response.status_code == 202:
            job = _wait_for_job(response.json()["id"])
            assert job.status == "done", job.error
        else:
            assert response.status_code == 201, response.content[:500]
        figures["api_answer_s"].append(answered - t0)
        figures["api_done_s"].append(time.monotonic() - t0)
        _clear(station, day)
    return {"rows": size, "repeat": repeat, "contacts": contacts, "status": response.status_code,
            **{name: round(statistics.median(values), 2) for name, values in figures.items()},
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-contacts", action="store_true", help="rows without recipient e-mail and phone")
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.repeat, contacts=not args.no_contacts)))


if __name__ == "__main__":
    main()
