"""The recipient: messages once per trigger, the tracking page (one package, nothing else), rating and
"delivered, not received"."""

import re
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from core.errors import Conflict, NotFound, ValidationFailed
from core.models import OutboxEvent
from routes import sms
from routes.models import NotificationTrigger, Package, RecipientFeedback, RecipientNotification
from routes.services import route_start, stop_outcome_record
from routes.services.recipients import (
    package_for_token,
    recipient_feedback_record,
    recipients_route_started,
    recipients_stop_outcome,
    tracking_token,
)
from tests.onboarding.conftest import PNG_BYTES
from tests.routes.live_day import live_day

pytestmark = pytest.mark.django_db
NOW = "2026-12-01 18:00:00"  # 10:00 in Seattle


@pytest.fixture(autouse=True)
def _clean_sms_and_clock(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: time.time()))
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def world():
    return live_day()


def _photo():
    return SimpleUploadedFile("door.png", PNG_BYTES, content_type="image/png")


def _counts():
    return {t: RecipientNotification.objects.filter(trigger=t).count() for t in NotificationTrigger.values}


@freeze_time(NOW)
def test_each_notification_is_sent_once_per_trigger(world, django_capture_on_commit_callbacks):
    route = world.routes[0]
    driver = world.driver_users[0]
    with django_capture_on_commit_callbacks(execute=True):
        route_start(route=route, by=driver)
    # five recipients hear "out for delivery", the first three (LiveSettings.nearby_stops) "a few stops away";
    # each by e-mail and by text
    assert _counts() == {"route_started": 10, "nearby": 6, "delivered": 0, "attempted": 0}
    assert len(mail.outbox) == 8 and len(sms.outbox) == 8
    assert {m.to[0] for m in mail.outbox} == {f"r1{k}@example.com" for k in range(1, 6)}
    with django_capture_on_commit_callbacks(execute=True):
        route_start(route=route, by=driver)  # a second start (the phone's queue replayed) is a no-op
        recipients_route_started(route=route)  # and so is the trigger itself, called again
    assert len(mail.outbox) == 8 and len(sms.outbox) == 8
    first, second = route.stops.order_by("sequence")[:2]
    with django_capture_on_commit_callbacks(execute=True):
        stop_outcome_record(stop=first, outcome="delivered", photo=_photo(), client_id=None, by=driver)
    # stop 1 delivered; stop 4 is now three stops away
    assert _counts() == {"route_started": 10, "nearby": 8, "delivered": 2, "attempted": 0}
    with django_capture_on_commit_callbacks(execute=True):
        stop_outcome_record(stop=second, outcome="attempted", reason="access_problem", client_id=None, by=driver)
        recipients_stop_outcome(stop=second)  # called twice for one outcome: nothing more
    assert _counts() == {"route_started": 10, "nearby": 10, "delivered": 2, "attempted": 2}
    assert len(mail.outbox) == 12 and len(sms.outbox) == 12
    assert all(RecipientNotification.objects.values_list("sent_at", flat=True))
    delivered_text = next(m for m in sms.outbox if "was delivered" in m["body"])
    assert delivered_text["to"] == "+12065551001"
    # integrators hear recipient.notified, without the recipient's contact details
    events = OutboxEvent.objects.filter(type="recipient.notified")
    assert events.count() == 5 + 3 + 1 + 2 + 1
    assert not any("@" in str(e.payload) or "+1206" in str(e.payload) for e in events)


@freeze_time(NOW)
def test_a_recipient_without_contact_details_gets_nothing(world):
    Package.objects.filter(stop__route=world.routes[0]).update(recipient_email="", recipient_phone="")
    assert recipients_route_started(route=world.routes[0]) == 0
    assert not RecipientNotification.objects.exists()


@freeze_time(NOW)
def test_the_tracking_page_shows_its_package_and_nothing_of_any_other(world, client):
    route = world.routes[0]
    route_start(route=route, by=world.driver_users[0])
    stops = list(route.stops.order_by("sequence"))
    stop_outcome_record(stop=stops[0], outcome="delivered", photo=_photo(), by=world.driver_users[0])
    mine = Package.objects.get(stop=stops[3])
    page = client.get(reverse("track", args=[tracking_token(mine.pk)]))
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.tracking_id in html and "2 stops away" in html
    # nothing of any other package: their tracking ids, names, addresses, e-mails, phones
    for other in Package.objects.exclude(pk=mine.pk):
        for value in (other.tracking_id, other.recipient_name, other.address_line1, other.recipient_email,
                      other.recipient_phone):
            assert value not in html, value
    assert mine.recipient_email not in html and mine.recipient_phone not in html
    assert page["Referrer-Policy"] == "same-origin"
    # the API says the same, about the same package only
    data = client.get(f"/api/v1/tracking/{tracking_token(mine.pk)}/").json()
    assert data["tracking_id"] == mine.tracking_id and data["stops_away"] == 2 and data["eta"]
    assert set(data) == {"tracking_id", "status", "status_label", "service_date", "window", "eta", "stops_away",
                         "delivered_at", "attempt_reason", "has_photo"}


@freeze_time(NOW)
def test_a_delivered_package_shows_its_proof_and_takes_a_rating_and_a_report(world, client):
    route = world.routes[0]
    route_start(route=route, by=world.driver_users[0])
    stop = route.stops.order_by("sequence").first()
    stop_outcome_record(stop=stop, outcome="delivered", photo=_photo(), by=world.driver_users[0])
    package = Package.objects.get(stop=stop)
    token = tracking_token(package.pk)
    html = client.get(reverse("track", args=[token])).content.decode()
    assert "Delivered at" in html and reverse("track_photo", args=[token]) in html
    photo = client.get(reverse("track_photo", args=[token]))
    assert photo.status_code == 200 and b"".join(photo.streaming_content).startswith(b"\x89PNG")
    client.post(reverse("track_feedback", args=[token]), {"rating": "2", "comment": "Left in the rain"})
    client.post(reverse("track_feedback", args=[token]), {"rating": "4", "comment": "Fine after all"})
    client.post(reverse("track_feedback", args=[token]), {"not_received": "1"})
    row = RecipientFeedback.objects.get(package=package)
    assert (row.rating, row.comment, row.not_received) == (4, "Fine after all", True)
    assert (row.route_id, row.stop_id, row.partner_id, row.service_date) == (
        route.pk, stop.pk, world.partner.pk, package.service_date)
    answer = client.post(f"/api/v1/tracking/{token}/feedback/", {"rating": 9}, content_type="application/json")
    assert answer.status_code == 400
    assert RecipientFeedback.objects.get(package=package).rating == 4


@freeze_time(NOW)
def test_feedback_before_the_driver_came_or_out_of_range_is_refused(world):
    package = Package.objects.filter(stop__route=world.routes[0]).first()
    with pytest.raises(Conflict):
        recipient_feedback_record(package=package, rating=5)
    Package.objects.filter(pk=package.pk).update(status="attempted")
    package.refresh_from_db()
    with pytest.raises(ValidationFailed):
        recipient_feedback_record(package=package, rating="six")
    with pytest.raises(Conflict):
        recipient_feedback_record(package=package, not_received=True)
    assert not RecipientFeedback.objects.exists()


def test_a_forged_or_altered_link_is_404(world, client):
    package = Package.objects.first()
    token = tracking_token(package.pk)
    other_id = Package.objects.exclude(pk=package.pk).first().pk
    forged = re.sub(r"^\d+", str(other_id), token)
    for bad in (forged, token[:-2] + "xx", "1", f"{other_id}.", "../admin"):
        assert client.get(f"/t/{bad}/").status_code == 404
        assert client.get(f"/api/v1/tracking/{bad}/").status_code == 404
    assert client.get(reverse("track_photo", args=[token])).status_code == 404  # not delivered: no proof
    with pytest.raises(NotFound):
        package_for_token(token=forged)


@freeze_time(NOW)
def test_recipients_from_an_imported_manifest_hear_that_the_route_started(world, token_client, make_user,
                                                                          django_capture_on_commit_callbacks):
    """The contacts come in through the manifest (a CSV sent to the API), as a shipper sends them; once the
    packages are on a route, its start notifies them at the normalised addresses."""
    import csv
    import io

    from accounts.models import Role

    route = world.routes[0]
    stops = list(route.stops.order_by("sequence"))
    Package.objects.filter(stop__route=route).delete()
    phones = ["(206) 555-0141", "206.555.0142", "+1 206 555 0143", "", "1-206-555-0145"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["tracking_id", "recipient_name", "address_line1", "state", "latitude",
                                             "longitude", "recipient_email", "recipient_phone"])
    writer.writeheader()
    writer.writerows({"tracking_id": f"IMP{k}", "recipient_name": s.recipient, "address_line1": s.address,
                      "state": "WA", "latitude": s.latitude, "longitude": s.longitude,
                      "recipient_email": f"shipper.{k}@example.com" if k != 3 else "", "recipient_phone": phones[k]}
                     for k, s in enumerate(stops))
    integrator = token_client(make_user(role=Role.INTEGRATOR))
    answer = integrator.post(f"/api/v1/routes/stations/{world.station.code}/manifests/", {
        "service_date": world.plan.service_date.isoformat(),
        "file": SimpleUploadedFile("m.csv", out.getvalue().encode(), content_type="text/csv")}, format="multipart")
    assert answer.status_code == 202
    assert integrator.get(answer.json()["url"]).json()["status"] == "done"
    for k, stop in enumerate(stops):  # what planning does: each package on its stop
        Package.objects.filter(tracking_id=f"IMP{k}").update(stop=stop, status="routed")

    with django_capture_on_commit_callbacks(execute=True):
        route_start(route=route, by=world.driver_users[0])
    started = RecipientNotification.objects.filter(trigger="route_started", sent_at__isnull=False)
    assert sorted(started.values_list("channel", "package__tracking_id", "to")) == sorted(
        [("email", f"IMP{k}", f"shipper.{k}@example.com") for k in (0, 1, 2, 4)]
        + [("sms", f"IMP{k}", f"+1206555014{k + 1}") for k in (0, 1, 2, 4)])
    assert {m.to[0] for m in mail.outbox} == {f"shipper.{k}@example.com" for k in (0, 1, 2, 4)}
    assert {m["to"] for m in sms.outbox} == {"+12065550141", "+12065550142", "+12065550143", "+12065550145"}
