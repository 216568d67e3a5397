"""The partner's weekly settlement on the embedded default (SQLite, in-process jobs, the local Stripe stand-in):
a finished week of routes is scored and computed from the admin's page, issued, disputed by the owner with a file,
resolved with an adjustment, approved and paid by one transfer the stand-in's signed webhook confirms."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.servicedays import service_week
from payments.models import Transfer
from performance.models import LineKind, Scorecard, Statement
from tests.conftest import login
from tests.embedded.conftest import eventually
from tests.embedded.test_money_journeys import connect_stripe
from tests.factories import AdminFactory
from tests.fleet.factories import DriverFactory
from tests.onboarding.claim_factories import veteran_partner
from tests.onboarding.conftest import PNG_BYTES
from tests.performance.factories import route_with
from tests.routes.factories import StationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_week_is_scored_issued_disputed_resolved_approved_and_paid(page, screenshot, standin, tmp_path):
    partner, owner = veteran_partner(legal_name="Okafor Last Mile LLC")
    week = service_week()[0] - timedelta(days=7)
    driver = DriverFactory(partner=partner, first_name="Ada", last_name="Okafor")
    station = StationFactory()
    route_with(partner=partner, station=station, day=week + timedelta(days=1), driver=driver, delivered=99,
               attempted=1)  # DCR 99% Fantastic, no contact before the attempt (Poor), no DNR/CDF (Fantastic+):
    # (90 x 30 + 0 x 10 + 100 x 15 + 100 x 15) / 70 = 81.43 -> Great: $235 + $39.60 + 99 x $0.05 = $279.55
    connect_stripe(page, owner)
    page.context.clear_cookies()

    admin = AdminFactory()
    login(page, admin.email)
    page.goto("/performance/program/")
    page.fill("input[name=week]", week.isoformat())
    page.click("#compute")
    page.wait_for_url("**/performance/program/weeks/*/")  # the job's page; reloading before it loads races the redirect
    assert eventually(lambda: Statement.objects.filter(partner=partner, week_start=week).exists())
    page.reload()
    page.wait_for_selector("#week-statements")
    page.click("#issue")
    page.wait_for_selector("text=1 statements issued")
    screenshot(page, "embedded-settlement-week-issued")
    statement = Statement.objects.get(partner=partner)
    assert (statement.status, statement.total) == ("issued", Decimal("279.55"))
    page.context.clear_cookies()

    login(page, owner.email)
    page.goto("/performance/")
    assert page.inner_text("#tier") == "Great"
    page.goto(f"/performance/statements/{statement.pk}/")
    line = statement.lines.get(kind=LineKind.PACKAGES)
    row = page.locator(f"#line-{line.pk}")
    row.locator("summary").click()
    row.locator("textarea").fill("One more package was delivered: the scan is attached.")
    evidence = tmp_path / "scan.png"
    evidence.write_bytes(PNG_BYTES)
    row.locator("input[type=file]").set_input_files(str(evidence))
    row.locator("button").click()
    page.wait_for_selector("text=Your dispute was sent")
    assert page.inner_text("#status") == "Disputed"
    page.context.clear_cookies()

    login(page, admin.email)
    page.goto(f"/performance/statements/{statement.pk}/")
    page.fill("input[name=adjustment]", "0.40")
    page.fill("input[name=note]", "The scan arrived after the cut-off: paid.")
    page.click("form[action*='resolve'] button")
    page.wait_for_selector("text=Dispute resolved")
    assert page.inner_text("#total") == "$279.95"
    page.click("#approve")
    page.wait_for_selector("#pay")
    page.click("#pay")
    page.wait_for_selector("text=Payment sent")
    assert eventually(lambda: Statement.objects.get(pk=statement.pk).status == "paid")
    transfer = Transfer.objects.get(reference=f"partner-statement:{statement.pk}")
    assert (transfer.amount, standin.get(transfer.stripe_transfer_id)["amount"]) == (Decimal("279.95"), 27995)
    page.reload()
    screenshot(page, "embedded-settlement-paid")
    assert page.inner_text("#status") == "Paid"
    assert Scorecard.objects.get(partner=partner).frozen
