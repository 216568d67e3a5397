import pytest
from django.core import mail

from accounts.models import User
from hubs.models import Hub, Parcel
from tests.conftest import login
from tests.hubs.factories import HubFactory, ParcelFactory

FORM = {"legal_name": "Petal & Stem LLC", "kind": "florist", "street": "100 Pike St", "city": "Seattle",
        "state": "WA", "postal_code": "98101", "latitude": "47.6097", "longitude": "-122.3422",
        "time_zone": "America/Los_Angeles", "storage_size": "30", "storage_attested": "on",
        "delivery_means": ["foot"], "staff_count": "2", "terms_accepted": "on", "hours_mon": "09:00-18:00",
        "full_name": "Maria Gonzalez", "email": "maria@shop.example", "password1": "a-long-pass-phrase-9",
        "password2": "a-long-pass-phrase-9"}
AUSTIN = {"city": "Austin", "state": "TX", "latitude": "30.2672", "longitude": "-97.7431",
          "time_zone": "America/Chicago"}


@pytest.mark.django_db
def test_enrolling_signed_out_creates_the_account_and_sends_verification(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail is sent after commit (core.mail)
        response = client.post("/hubs/enroll/", FORM)
    assert response.status_code == 302
    user = User.objects.get(email="maria@shop.example")
    assert user.role == "hub_owner"
    assert Hub.objects.get(owner=user).status == "applied"
    assert len(mail.outbox) == 1 and "maria@shop.example" in mail.outbox[0].to


@pytest.mark.django_db
def test_enrolling_outside_the_area_says_so_and_offers_the_waitlist(client):
    response = client.post("/hubs/enroll/", {**FORM, **AUSTIN})
    assert response.status_code == 200
    assert b"not open in TX" in response.content and b"Join the waitlist" in response.content
    assert not Hub.objects.exists()
    client.post("/hubs/enroll/", {**FORM, **AUSTIN, "join_waitlist": "on"})
    assert Hub.objects.get().status == "waitlisted"


@pytest.mark.django_db
def test_admin_review_queue_lists_oldest_first_and_exports_csv(client, admin_user):
    first = HubFactory(status="applied", legal_name="Alpha Flowers")
    second = HubFactory(status="applied", legal_name="Beta Books")
    HubFactory(status="active")
    client.force_login(admin_user)
    page = client.get("/hubs/review/", {"status": "applied"}).content.decode()
    assert page.index(first.legal_name) < page.index(second.legal_name)
    csv_rows = client.get("/hubs/review/export.csv").content.decode().splitlines()
    assert len(csv_rows) == 4 and csv_rows[0].startswith("id,legal_name")
    response = client.post(f"/hubs/review/{first.pk}/", {"decision": "approved", "note": "ok"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "approved"


@pytest.mark.django_db
def test_the_today_page_shows_only_the_owners_parcels(client, hub):
    mine = ParcelFactory(hub=hub, service_date=hub.local_today())
    theirs = ParcelFactory(hub=HubFactory(), service_date=hub.local_today())
    client.force_login(hub.owner)
    page = client.get("/hubs/today/").content.decode()
    assert mine.tracking_id in page and theirs.tracking_id not in page
    assert client.get("/hubs/earnings/").status_code == 200


def test_the_today_page_with_an_impossible_date_shows_today_and_says_why(client, hub):
    mine = ParcelFactory(hub=hub, service_date=hub.local_today())
    client.force_login(hub.owner)

    response = client.get("/hubs/today/", {"date": "2026-02-30"})

    assert response.status_code == 200
    page = response.content.decode()
    assert mine.tracking_id in page and "is not a date" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_page_logs_a_delivery_by_scanning(phone_page, screenshot):
    hub = HubFactory()
    parcels = [ParcelFactory(hub=hub, service_date=hub.local_today(), status="received") for _ in range(5)]
    target = parcels[2]
    login(phone_page, hub.owner.email)
    phone_page.goto("/hubs/today/")
    phone_page.fill("#scan", target.tracking_id.lower())
    phone_page.press("#scan", "Enter")
    phone_page.wait_for_selector("#sheet:not([hidden])")
    phone_page.fill("#recipient", "")  # nobody named: refused on the phone with a sentence, nothing sent
    phone_page.click("#btn-delivered")
    phone_page.wait_for_selector("#recipient-needed:visible:has-text('Who received the parcel?')")
    target.refresh_from_db()
    assert target.status == "received"
    phone_page.fill("#recipient", "Front desk")
    phone_page.click("#btn-delivered")
    phone_page.wait_for_selector("#recipient-needed", state="hidden")
    phone_page.wait_for_selector("#sync-state:has-text('All synced')")
    phone_page.wait_for_selector(f"[data-parcel='{target.pk}'] .badge:has-text('Delivered')")
    target.refresh_from_db()
    assert (target.status, target.delivered_to) == ("delivered", "Front desk")
    # an attempted one, through the reason list
    phone_page.fill("#scan", parcels[0].tracking_id)
    phone_page.press("#scan", "Enter")
    phone_page.click("[data-reason='nobody_home']")
    phone_page.wait_for_selector("#sync-state:has-text('All synced')")
    assert Parcel.objects.get(pk=parcels[0].pk).attempt_reason == "nobody_home"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "hubs-phone-today")


@pytest.mark.django_db
def test_the_earnings_page_shows_this_week_so_far_before_any_statement(client, hub):
    from hubs.models import ParcelStatus

    ParcelFactory(hub=hub, service_date=hub.local_today(), status=ParcelStatus.DELIVERED)
    ParcelFactory(hub=hub, service_date=hub.local_today(), status=ParcelStatus.DELIVERED)
    client.force_login(hub.owner)
    response = client.get("/hubs/earnings/")
    page = response.content.decode()
    assert 'id="this-week"' in page
    assert response.context["week"]["delivered"] == 2
    assert f'id="week-earnings">${response.context["week"]["earnings"]:,.2f}<' in page
    assert "No statements yet" in page
