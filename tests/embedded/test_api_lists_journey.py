"""An integrator reads the hot lists on the embedded default (SQLite): pages of vans, a hub's day of parcels with
`?fields=`, and a day's routes with `?expand=stops`, as on PostgreSQL (tests/core/test_api_lists.py)."""

from datetime import date

import pytest

from tests.core.test_api_lists import DAY, _parcels, _routes, _stops_of_every_kind, _vans
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


def test_expanded_stops_of_every_kind_read_as_the_route_detail_writes_them_on_sqlite(token_client):
    partner, owner = partner_with_owner()
    routes = _stops_of_every_kind(partner, HubFactory())
    client = token_client(owner)

    page = client.get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "expand": "stops"}).json()["results"]

    assert page == [client.get(f"/api/v1/routes/routes/{route.pk}/").json() for route in routes]
    assert page[0]["stops"][1]["outcome_at"] == "2026-03-10T17:05:09.000120Z" and page[2]["stops"] == []


def test_a_cursor_whose_position_no_row_can_have_is_a_404_on_the_embedded_default_too(token_client):
    """The ORM's path (SQLite): a position that is no id is DRF's "Invalid cursor" 404, not a server error."""
    import base64

    partner, owner = partner_with_owner()
    _routes(partner, 2)
    client = token_client(owner)
    cursor = base64.b64encode(b"p=not-an-id").decode()

    response = client.get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "cursor": cursor})

    assert response.status_code == 404 and response.json()["code"] == "not_found"
