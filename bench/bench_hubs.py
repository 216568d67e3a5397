"""Benchmark: log 10,000 hubs x 30 parcels = 300,000 outcomes in batches through the service.

Prints outcomes per second and queries per batch for two batch sizes (queries must not grow with
the batch size). Uses its own PostgreSQL database (dsp_bench_hubs on the DATABASE_URL server),
created or flushed, migrated and seeded here. `--hubs N` for a quick run.

    .venv/bin/python bench/bench_hubs.py [--hubs 10000]
"""

import argparse
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsp_portal.test_settings")


def _database_url(name: str) -> str:
    import environ

    environ.Env.read_env(ROOT / ".env.example", overwrite=False)
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dsp")
    return base.rsplit("/", 1)[0] + "/" + name


def _recreate(url: str):
    import psycopg2

    server, name = url.rsplit("/", 1)
    conn = psycopg2.connect(server + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubs", type=int, default=10_000)
    parser.add_argument("--parcels", type=int, default=30)
    args = parser.parse_args()
    url = _database_url("dsp_bench_hubs")
    os.environ["DATABASE_URL"] = url
    _recreate(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import Role, User
    from hubs.models import Hub, Parcel, ParcelStatus
    from hubs.services import OutcomeItem, parcel_outcomes_record

    day = date(2026, 3, 10)
    print(f"seeding {args.hubs} hubs x {args.parcels} parcels ...", flush=True)
    now = timezone.now()
    users = User.objects.bulk_create([User(email=f"hub{i}@bench.example", role=Role.HUB_OWNER)
                                      for i in range(args.hubs)], batch_size=5000)
    hubs = Hub.objects.bulk_create([
        Hub(owner=u, legal_name=f"Bench hub {i}", kind="florist", street="1 Main St", city="Seattle", state="WA",
            postal_code="98101", latitude="47.6", longitude="-122.3", time_zone="America/Los_Angeles",
            storage_size=40, storage_attested=True, delivery_means=["foot"], terms_accepted_at=now,
            capacity=args.parcels, radius_miles="2.00", status="active") for i, u in enumerate(users)],
        batch_size=5000)
    Parcel.objects.bulk_create([
        Parcel(hub=h, service_date=day, tracking_id=f"B{h.pk:06d}{j:03d}", recipient_name="R",
               recipient_address="1 Pine St", status=ParcelStatus.RECEIVED, allocated_at=now, updated_at=now)
        for h in hubs for j in range(args.parcels)], batch_size=10_000)

    def items_for(hub):
        out = []
        for j in range(args.parcels):
            tid = f"B{hub.pk:06d}{j:03d}"
            if j % 10 == 9:
                out.append(OutcomeItem(uuid.uuid4(), tid, "attempted", day, reason="nobody_home"))
            else:
                out.append(OutcomeItem(uuid.uuid4(), tid, "delivered", day, recipient_name="Front desk"))
        return out

    # Two batch sizes: half the hubs send their day in one batch of 30, the other half in 3 batches of 10.
    half = len(hubs) // 2
    for label, group, split in (("30 per batch", hubs[:half], 1), ("10 per batch", hubs[half:], 3)):
        total, batches, queries, started = 0, 0, [], time.perf_counter()
        for hub in group:
            items = items_for(hub)
            size = len(items) // split
            for k in range(split):
                chunk = items[k * size:(k + 1) * size]
                connection.queries_log.clear()  # the log is capped at 9,000: keep each count exact
                with CaptureQueriesContext(connection) as ctx:
                    results = parcel_outcomes_record(hub=hub, items=chunk)
                queries.append(len(ctx))
                batches += 1
                total += sum(1 for r in results if r.result == "applied")
        elapsed = time.perf_counter() - started
        print(f"{label:>13}: {total:,} outcomes in {batches:,} batches, {elapsed:.1f} s, "
              f"{total / elapsed:,.0f} outcomes/s, queries per batch min {min(queries)} max {max(queries)}",
              flush=True)

    # And a resend of one hub's batch changes nothing.
    hub = hubs[0]
    resent = parcel_outcomes_record(hub=hub, items=items_for(hub))
    print("resend of a finished day:", {r.result for r in resent}, "(already final: rejected as invalid moves)")
    done = Parcel.objects.filter(service_date=day, status__in=["delivered", "attempted"]).count()
    print(f"parcels with an outcome: {done:,} of {len(hubs) * args.parcels:,}")
    return 0 if done == len(hubs) * args.parcels else 1


if __name__ == "__main__":
    sys.exit(main())
