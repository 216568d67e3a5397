"""An integrator reads the hot lists on the embedded default (SQLite): pages of vans, a hub's day of parcels with
`?fields=`, and a day's routes with `?expand=stops`, as on PostgreSQL (tests/core/test_api_lists.py)."""

from datetime import date

import pytest

from tests.core.test_api_lists import _parcels, _routes, _vans
from tests.hubs.factories import HubFactory
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_hot_lists_page_select_fields_and_expand_stops_on_sqlite(token_client):
    partner, owner = partner_with_owner()
    _vans(partner, 120)
    client = token_client(owner)
    plates, url, params = [], "/api/v1/fleet/vehicles/", {"fields": "id,plate"}
    while url:
        page = client.get(url, params).json()
        plates += [row["plate"] for row in page["results"]]
        url, params = page["next"], None
    assert len(plates) == len(set(plates)) == 120

    hub = HubFactory()
    _parcels(hub, 75, date(2026, 3, 10))
    first = token_client(hub.owner).get("/api/v1/hubs/parcels/",
                                        {"date": "2026-03-10", "fields": "tracking_id,has_photo"})
    assert first.json()["results"][0] == {"tracking_id": "T1000000", "has_photo": False}
    assert len(first.json()["results"]) == 50 and first.json()["next"]

    routes = _routes(partner, 2, stops=3)
    listed = client.get("/api/v1/routes/routes/", {"date": "2026-03-10", "expand": "stops"}).json()["results"]
    assert [r["code"] for r in listed] == ["TST-01", "TST-02"]
    assert listed[1] == client.get(f"/api/v1/routes/routes/{routes[1].pk}/").json()
