"""The order journey in Chromium: browse, quote, submit; the admin approves; the deposit is paid through
Stripe (the real client against the local fake, confirmed by a signed webhook); the admin fulfils."""

import pytest

from fleet.models import Vehicle
from procurement.models import Order
from tests.conftest import login
from tests.factories import AdminFactory
from tests.fleet.factories import make_vin
from tests.onboarding.factories import ApplicationFactory, partner_with_owner
from tests.procurement.factories import SupplyItemFactory, VanItemFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_order_journey(page, screenshot, stripe_fake, client):
    partner, owner = partner_with_owner(legal_name="Peach State Deliveries LLC",
                                        application=ApplicationFactory(planned_vans=10))
    admin = AdminFactory()
    VanItemFactory(name="Branded step van 2026")
    SupplyItemFactory(name="Dash phone mount")

    login(page, owner.email)
    page.goto("/fleet/catalog/")
    screenshot(page, "procurement-catalog")
    page.get_by_role("link", name="Branded step van 2026").click()
    page.fill("#qty", "2")
    page.get_by_role("button", name="Add to quote").click()
    page.goto("/fleet/catalog/?kind=supply")
    page.get_by_role("link", name="Dash phone mount").click()
    page.fill("#qty", "3")
    page.get_by_role("button", name="Add to quote").click()
    assert page.locator("#quote-total").inner_text() == "$86,450.97"
    assert page.locator("#quote-savings").inner_text() == "$9,609.00"
    screenshot(page, "procurement-quote")
    page.get_by_role("button", name="Submit order").click()
    page.wait_for_url("**/fleet/orders/*/")
    order = Order.objects.get(partner=partner)
    assert order.status == "submitted"

    page.context.clear_cookies()
    login(page, admin.email)
    page.goto("/fleet/orders/queue/")
    screenshot(page, "procurement-queue")
    page.get_by_role("link", name=f"#{order.pk}").click()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == "approved"

    page.context.clear_cookies()
    login(page, owner.email)
    page.goto(f"/fleet/orders/{order.pk}/")
    page.get_by_role("button", name="Pay deposit").click()
    page.get_by_role("button", name="Check payment status").wait_for()
    screenshot(page, "procurement-deposit")
    order.refresh_from_db()
    # What Stripe.js does in the partner's browser, then Stripe's signed webhook.
    stripe_fake.pay_payment_intent(order.deposit_payment.stripe_payment_intent_id)
    assert stripe_fake.send_webhook(client, "payment_intent.succeeded",
                                    order.deposit_payment.stripe_payment_intent_id).status_code == 200
    page.reload()
    assert "Deposit paid" in page.locator("h1").inner_text()

    page.context.clear_cookies()
    login(page, admin.email)
    page.goto(f"/fleet/orders/{order.pk}/")
    line = order.lines.get(kind="vehicle")
    page.fill(f"input[name=vin_{line.pk}_0]", make_vin(5001))
    page.fill(f"input[name=vin_{line.pk}_1]", make_vin(5002))
    screenshot(page, "procurement-fulfil")
    page.get_by_role("button", name="Mark fulfilled").click()
    page.wait_for_load_state()
    assert "Fulfilled" in page.locator("h1").inner_text()
    assert Vehicle.objects.filter(partner=partner, acquired_via="program_order").count() == 2
    screenshot(page, "procurement-fulfilled")

    page.context.clear_cookies()
    login(page, owner.email)
    page.goto("/fleet/savings/")
    assert page.locator("#saved-total").inner_text() == "$9,609.00"
    screenshot(page, "procurement-savings")
