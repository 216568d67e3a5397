"""Procurement pages render for the roles that use them and refuse the others."""

import pytest

from accounts.models import Role
from procurement.models import Order
from procurement.services import order_approve, order_submit, quote_line_set
from tests.factories import AdminFactory
from tests.onboarding.factories import partner_with_owner
from tests.procurement.factories import InsuranceItemFactory, SupplyItemFactory, VanItemFactory

pytestmark = pytest.mark.django_db


def test_partner_pages_render(client, partner_and_owner):
    partner, owner = partner_and_owner
    van = VanItemFactory(name="Branded step van")
    InsuranceItemFactory()
    client.force_login(owner)
    assert "Branded step van" in client.get("/fleet/catalog/").content.decode()
    assert "43,200.00" in client.get(f"/fleet/catalog/{van.pk}/").content.decode()
    response = client.post(f"/fleet/catalog/{van.pk}/", {"quantity": "2"})
    assert response.status_code == 302
    assert "86,400.00" in client.get("/fleet/quote/").content.decode()
    response = client.post("/fleet/quote/", {"action": "submit"})
    order = Order.objects.get(partner=partner)
    assert response.url == f"/fleet/orders/{order.pk}/" and order.status == "submitted"
    assert client.get(f"/fleet/orders/{order.pk}/").status_code == 200
    assert client.get("/fleet/orders/").status_code == 200
    assert client.get("/fleet/savings/").status_code == 200
    assert client.get("/fleet/savings.csv").status_code == 200
    assert client.get("/fleet/orders/queue/").status_code == 403


def test_admin_pages_and_decision(client, partner_and_owner):
    partner, owner = partner_and_owner
    quote_line_set(partner=partner, item=SupplyItemFactory(), quantity=2, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner), by=owner)
    client.force_login(AdminFactory())
    assert f"#{order.pk}" in client.get("/fleet/orders/queue/").content.decode()
    client.post(f"/fleet/orders/{order.pk}/", {"action": "reject", "note": ""})
    order.refresh_from_db()
    assert order.status == "submitted"  # a rejection needs a reason
    client.post(f"/fleet/orders/{order.pk}/", {"action": "reject", "note": "Duplicate order."})
    order.refresh_from_db()
    assert order.status == "rejected"
    assert client.get("/fleet/savings/").status_code == 200
    assert client.get("/console/").status_code == 200


def test_other_partners_order_page_is_404_and_applicants_are_refused(client, partner_and_owner, make_user):
    partner, owner = partner_and_owner
    quote_line_set(partner=partner, item=SupplyItemFactory(), quantity=1, by=owner)
    order = order_approve(order=order_submit(order=Order.objects.get(partner=partner), by=owner), by=AdminFactory())
    _other, stranger = partner_with_owner()
    client.force_login(stranger)
    assert client.get(f"/fleet/orders/{order.pk}/").status_code == 404
    assert client.post(f"/fleet/orders/{order.pk}/", {"action": "cancel", "note": "x"}).status_code == 404
    client.force_login(make_user(Role.APPLICANT))
    assert client.get("/fleet/catalog/").status_code == 403
    assert client.get("/fleet/quote/").status_code == 403
