"""A hub's first day on the embedded default (SQLite): enrollment approved, parcels allocated, outcomes
logged through the API batch and the phone page, payouts set up through the Stripe stand-in."""

import re
import uuid

import pytest

from accounts.models import Role
from hubs.models import HubStatus, Parcel, ParcelEvent
from hubs.services import hub_decide, hub_enroll, parcels_allocate
from payments.models import ConnectedAccount
from tests.conftest import login
from tests.embedded.conftest import eventually
from tests.factories import AdminFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENROLLMENT = {
    "legal_name": "Petal & Stem LLC", "kind": "florist", "street": "100 Pike St", "city": "Seattle",
    "state": "WA", "postal_code": "98101", "latitude": "47.6097", "longitude": "-122.3422",
    "time_zone": "America/Los_Angeles", "opening_hours": {"mon": "09:00-18:00"}, "storage_attested": True,
    "storage_size": 25, "delivery_means": ["foot"], "staff_count": 2, "terms_accepted": True,
}


def item(parcel, outcome, **extra):
    return {"client_id": str(uuid.uuid4()), "tracking_id": parcel.tracking_id, "outcome": outcome,
            "service_date": str(parcel.service_date), **extra}


def test_an_approved_hub_logs_a_day_of_outcomes_and_sets_up_payouts(phone_page, screenshot, token_client, standin):
    owner = UserFactory(role=Role.APPLICANT, email="shop@petalandstem.example")
    admin = AdminFactory()
    hub = hub_enroll(owner=owner, data=ENROLLMENT)
    hub = hub_decide(hub=hub, to=HubStatus.APPROVED, decided_by=admin, note="Good storage.")
    hub = hub_decide(hub=hub, to=HubStatus.ACTIVE, decided_by=admin)
    day = hub.local_today()
    parcels_allocate(hub=hub, service_date=day, parcels=[f"TBA{n:09d}" for n in range(1, 7)])
    parcels = list(Parcel.objects.filter(hub=hub).order_by("tracking_id"))

    # The morning scan and most outcomes arrive as API batches (the hub's scanner app).
    api = token_client(owner)
    received = api.post("/api/v1/hubs/outcomes/batch/", {"items": [item(p, "received") for p in parcels]},
                        format="json")
    assert received.status_code == 200, received.content
    batch = {"items": [
        item(parcels[0], "delivered", recipient_name="Ann Lee"),
        item(parcels[1], "delivered", recipient_name="Front desk"),
        item(parcels[2], "attempted", reason="nobody_home"),
    ]}
    outcomes = api.post("/api/v1/hubs/outcomes/batch/", batch, format="json", HTTP_IDEMPOTENCY_KEY="evening-1")
    assert outcomes.status_code == 200, outcomes.content
    assert [r["result"] for r in outcomes.json()["results"]] == ["applied"] * 3
    # The phone resends the same batch with the same key (its answer was lost): SQLite replays it too.
    resent = api.post("/api/v1/hubs/outcomes/batch/", batch, format="json", HTTP_IDEMPOTENCY_KEY="evening-1")
    assert (resent.status_code, resent["Idempotent-Replayed"]) == (200, "true")
    assert resent.json() == outcomes.json()
    single = api.post(f"/api/v1/hubs/parcels/{parcels[3].pk}/outcome/",
                      {"client_id": str(uuid.uuid4()), "outcome": "delivered", "recipient_name": "Bo"}, format="json")
    assert single.status_code in (200, 201), single.content

    # One more from the phone page.
    login(phone_page, owner.email)
    phone_page.goto("/hubs/today/")
    phone_page.fill("#scan", parcels[4].tracking_id)
    phone_page.press("#scan", "Enter")
    phone_page.wait_for_selector("#sheet:not([hidden])")
    phone_page.fill("#recipient", "Neighbour at 102")
    phone_page.click("#btn-delivered")
    phone_page.wait_for_selector("#sync-state:has-text('All synced')")
    phone_page.wait_for_selector(f"[data-parcel='{parcels[4].pk}'] .badge:has-text('Delivered')")
    screenshot(phone_page, "embedded-hub-today")

    statuses = dict(Parcel.objects.filter(hub=hub).values_list("tracking_id", "status"))
    assert sorted(statuses.values()) == ["attempted", "delivered", "delivered", "delivered", "delivered", "received"]
    assert Parcel.objects.get(pk=parcels[4].pk).delivered_to == "Neighbour at 102"
    assert ParcelEvent.objects.filter(parcel__hub=hub).count() == 6 + 5

    # Payouts: the stand-in's onboarding page, then back to earnings; its signed `account.updated` follows.
    phone_page.goto("/hubs/earnings/")
    phone_page.get_by_role("button", name="Set up payouts").click()
    phone_page.wait_for_url(re.compile(r"/connect/setup/acct_"))
    phone_page.get_by_role("button", name="Complete onboarding").click()
    phone_page.wait_for_url("**/hubs/earnings/")
    assert eventually(lambda: ConnectedAccount.objects.get(holder=f"hub:{hub.pk}").ready_for_transfers)
