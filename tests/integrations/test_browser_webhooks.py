import pytest

from integrations.models import WebhookSubscription
from tests.conftest import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_integrator_subscribes_in_the_browser_and_sees_the_secret_once(page, screenshot, integrator, receiver):
    login(page, integrator.email)
    page.goto("/integrations/webhooks/")
    page.fill("input[name=url]", receiver.url)
    page.fill("input[name=description]", "Dispatch sync")
    page.check("input[value='route.published']")
    page.check("input[value='parcel.delivered']")
    page.check("input[value='routes:read']")
    page.check("input[value='hubs:read']")
    page.click("button:has-text('Subscribe')")
    secret = page.locator("#new-secret code").inner_text()
    assert secret.startswith("whsec_")
    screenshot(page, "integrations-webhook-created")
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["parcel.delivered", "route.published"]
    assert subscription.scopes == ["hubs:read", "routes:read"]
    page.goto(f"/integrations/webhooks/{subscription.pk}/")
    assert page.locator("#new-secret").count() == 0
    page.goto("/integrations/webhooks/")
    screenshot(page, "integrations-webhook-list")
