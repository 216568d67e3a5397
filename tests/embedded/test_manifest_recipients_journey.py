"""Recipients' contacts through the manifest on the embedded default (SQLite, the import on a background thread):
the admin uploads a CSV whose phone is not a number and reads why in the preview; fixed, the preview shows the
phone as it will be stored and the import writes the contacts."""

import pytest

from accounts.models import Role
from routes.models import Package
from tests.conftest import login
from tests.routes.factories import StationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEAD = "tracking_id,recipient_name,address_line1,city,state,latitude,longitude,recipient_email,recipient_phone\n"


def _csv(tmp_path, phone):
    path = tmp_path / "contacts.csv"
    path.write_text(HEAD + "RC1,Ann Lee,1 Pike St,Seattle,WA,47.6097,-122.3331,ann.lee@example.com,(206) 555-0150\n"
                    f"RC2,Bo Kim,2 Pine St,Seattle,WA,47.6110,-122.3370,,{phone}\n")
    return str(path)


def _preview(page, station, path):
    page.goto(f"/routes/stations/{station.code}/manifest/")
    page.fill("#id_service_date", "2027-03-02")
    page.set_input_files("#id_file", path)
    page.click("#manifest-preview-button")


def test_recipient_contacts_are_checked_shown_and_imported(page, make_user, tmp_path, screenshot):
    station = StationFactory(name="Seattle South SEA5", code="sea5")
    login(page, make_user(role=Role.PROGRAM_ADMIN).email)

    _preview(page, station, _csv(tmp_path, "call the desk"))
    page.wait_for_selector("#manifest-errors")
    problems = page.locator("table").first.inner_text()
    assert "recipient_phone" in problems and "“call the desk” is not a US phone number" in problems
    assert page.locator("#manifest-import").count() == 0
    screenshot(page, "embedded-manifest-contacts-00-bad-phone")

    _preview(page, station, _csv(tmp_path, "206.555.0151"))
    page.wait_for_selector("#manifest-preview")
    contacts = page.locator(".manifest-contact").all_inner_texts()
    assert contacts == ["ann.lee@example.com · +12065550150", "+12065550151"]
    screenshot(page, "embedded-manifest-contacts-01-preview")
    page.click("#manifest-import")
    page.wait_for_selector("#import-result:has-text('2 packages imported')", timeout=30_000)
    assert sorted(Package.objects.values_list("tracking_id", "recipient_email", "recipient_phone")) == [
        ("RC1", "ann.lee@example.com", "+12065550150"), ("RC2", "", "+12065550151")]
