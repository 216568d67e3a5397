"""Procurement API: catalog read with program prices, the quote with Idempotency-Key, orders scoped to the
partner (another partner's is 404, the wrong role 403), admin decisions."""

import pytest

from accounts.models import Role
from procurement.models import Order
from tests.factories import AdminFactory
from tests.onboarding.factories import partner_with_owner
from tests.procurement.factories import SupplyItemFactory, VanItemFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/procurement"


def test_catalog_shows_list_and_program_price(token_client, partner_and_owner):
    VanItemFactory(name="Step van 2026")
    _partner, owner = partner_and_owner
    rows = token_client(owner).get(f"{API}/catalog/?kind=vehicle").json()["results"]
    assert [(r["name"], r["list_price"], r["program_price"], r["savings"]) for r in rows] == [
        ("Step van 2026", "48000.00", "43200.00", "4800.00")]


def test_quote_then_order_with_idempotency_key(token_client, partner_and_owner):
    partner, owner = partner_and_owner
    client = token_client(owner)
    mount = SupplyItemFactory()
    first = client.post(f"{API}/quote/", {"item": mount.pk, "quantity": 3}, format="json",
                        HTTP_IDEMPOTENCY_KEY="add-mounts")
    again = client.post(f"{API}/quote/", {"item": mount.pk, "quantity": 3}, format="json",
                        HTTP_IDEMPOTENCY_KEY="add-mounts")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["total"] == "50.97" and first.json()["lines"][0]["savings"] == "9.00"

    placed = client.post(f"{API}/quote/submit/", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert placed.status_code == 201 and placed.json()["status"] == "submitted"
    assert client.get(f"{API}/orders/").json()["results"][0]["id"] == placed.json()["id"]

    admin = token_client(AdminFactory())
    decided = admin.post(f"{API}/orders/{placed.json()['id']}/approve/", {"reason": ""}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    refused = admin.post(f"{API}/orders/{placed.json()['id']}/reject/", {"reason": "late"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"


def test_another_partners_order_is_404_and_the_wrong_role_403(token_client, partner_and_owner, make_user):
    partner, owner = partner_and_owner
    order = Order.objects.create(partner=partner, status="submitted")
    _other, stranger = partner_with_owner()
    assert token_client(stranger).get(f"{API}/orders/{order.pk}/").status_code == 404
    assert token_client(stranger).post(f"{API}/orders/{order.pk}/cancel/", {"reason": "x"},
                                       format="json").status_code == 404
    applicant = token_client(make_user(Role.APPLICANT))
    assert applicant.get(f"{API}/catalog/").status_code == 403
    assert applicant.post(f"{API}/quote/", {"item": 1, "quantity": 1}, format="json").status_code == 403
    assert token_client(owner).post(f"{API}/orders/{order.pk}/approve/", format="json").status_code == 403


def test_a_partner_role_without_a_company_cannot_quote(token_client, make_user):
    lonely = token_client(make_user(Role.PARTNER_OWNER))
    response = lonely.get(f"{API}/quote/")
    assert response.status_code == 404 and response.json()["code"] == "no_partner"


def test_catalog_and_orders_lists_are_cursor_paginated(make_user, token_client):
    from tests.procurement.factories import SupplyItemFactory

    for n in range(3):
        SupplyItemFactory(name=f"Polo shirt {n}", sku=f"POLO-{n}")
    owner = make_user(role="partner_owner")
    client = token_client(owner)
    first = client.get(f"{API}/catalog/?page_size=2").json()
    assert [item["name"] for item in first["results"]] == ["Polo shirt 0", "Polo shirt 1"]
    second = client.get(first["next"]).json()
    assert [item["name"] for item in second["results"]] == ["Polo shirt 2"]
    assert client.get(f"{API}/orders/").json()["results"] == []
