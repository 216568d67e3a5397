"""The partner and the program read scorecards and statements (pages, CSV, PDF, REST); another partner's are 404;
disputes through the API; the finance CSV adds up per week."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import Role
from onboarding.models import PartnerMembership
from performance.models import Scorecard, Statement
from performance.services.scoring import scorecards_compute
from performance.services.settlement import statements_compute
from performance.services.statements import week_issue
from tests.factories import AdminFactory, UserFactory
from tests.onboarding.factories import partner_with_owner
from tests.performance.factories import route_with
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 1)


@pytest.fixture
def two():
    """Two partners, each with a settled week (issued Monday March 9)."""
    station = StationFactory()
    out = []
    with freeze_time("2026-03-09 19:00:00"):
        for delivered in (100, 50):
            partner, owner = partner_with_owner()
            route_with(partner=partner, station=station, day=date(2026, 3, 3), delivered=delivered)
            out.append((partner, owner))
        scorecards_compute(week_start=WEEK)
        statements_compute(week_start=WEEK)
        week_issue(week_start=WEEK)
    return out


def test_another_partners_scorecard_and_statement_are_404_in_pages_and_api(client, token_client, two):
    (mine, owner), (theirs, _other) = two
    their_statement = Statement.objects.get(partner=theirs)
    their_card = Scorecard.objects.get(partner=theirs)
    client.force_login(owner)
    for name in ("statement_detail", "statement_csv", "statement_pdf"):
        assert client.get(reverse(f"performance:{name}", args=[their_statement.pk])).status_code == 404
    assert client.post(reverse("performance:statement_dispute", args=[their_statement.pk]),
                       {"line": their_statement.lines.first().pk, "reason": "x"}).status_code == 404
    api = token_client(owner)
    assert api.get(f"/api/v1/performance/statements/{their_statement.pk}/").status_code == 404
    assert api.get(f"/api/v1/performance/scorecards/{their_card.pk}/").status_code == 404
    listed = api.get("/api/v1/performance/statements/").json()
    assert [s["partner"] for s in listed["results"]] == [mine.pk]
    assert {c["partner"] for c in api.get("/api/v1/performance/scorecards/").json()["results"]} == {mine.pk}
    # ?partner= is for the program only: a partner asking for another's scorecard sees its own
    page = client.get(reverse("performance:scorecard") + f"?week=2026-03-01&partner={theirs.pk}")
    assert mine.legal_name in page.content.decode() and theirs.legal_name not in page.content.decode()


def test_the_partner_reads_its_scorecard_statement_csv_and_pdf(client, two):
    (mine, owner), _ = two
    statement = Statement.objects.get(partner=mine)
    client.force_login(owner)
    page = client.get(reverse("performance:scorecard") + "?week=2026-03-04").content.decode()
    assert "100 ÷ 100 × 100 = 100.00%" in page and "Fantastic+" in page
    page = client.get(reverse("performance:statement_detail", args=[statement.pk])).content.decode()
    assert "$295.00" in page  # $235 base + 100 x $0.40 + 100 x $0.20 Fantastic+ incentive
    rows = list(csv.reader(io.StringIO(client.get(reverse("performance:statement_csv", args=[statement.pk]))
                                       .content.decode())))
    assert rows[1] == ["line", "kind", "description", "service_date", "quantity", "rate", "amount", "source"]
    amounts = [row[6] for row in rows[2:-1]]
    assert amounts == ["235.00", "40.00", "20.00"] and rows[-1][6] == "295.00"
    assert rows[2][7].startswith("route:") and rows[4][7] == f"scorecard:{statement.scorecard_id}"
    pdf = client.get(reverse("performance:statement_pdf", args=[statement.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_manager_reads_but_only_the_owner_disputes(client, two):
    (mine, _owner), _ = two
    manager = UserFactory(role=Role.PARTNER_MANAGER)
    PartnerMembership.objects.create(user=manager, partner=mine, role=PartnerMembership.Role.MANAGER)
    statement = Statement.objects.get(partner=mine)
    client.force_login(manager)
    assert client.get(reverse("performance:statement_detail", args=[statement.pk])).status_code == 200
    assert client.post(reverse("performance:statement_dispute", args=[statement.pk]),
                       {"line": statement.lines.first().pk, "reason": "x"}).status_code == 403


@freeze_time("2026-03-10 10:00:00")
def test_a_dispute_through_the_api_and_its_resolution(token_client, two):
    (mine, owner), _ = two
    statement = Statement.objects.get(partner=mine)
    line = statement.lines.first()
    api = token_client(owner)
    answer = api.post(f"/api/v1/performance/statements/{statement.pk}/disputes/", {"line": line.pk, "reason": ""},
                      format="json")
    assert answer.status_code == 400 and "reason" in answer.json()["fields"]
    answer = api.post(f"/api/v1/performance/statements/{statement.pk}/disputes/",
                      {"line": line.pk, "reason": "Wrong class"}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert answer.status_code == 201, answer.json()
    dispute_id = answer.json()["id"]
    admin = token_client(AdminFactory())
    bad = admin.post(f"/api/v1/performance/disputes/{dispute_id}/resolve/", {"adjustment": "12,50", "note": "x"},
                     format="json")
    assert bad.status_code == 400 and bad.json()["fields"]
    done = admin.post(f"/api/v1/performance/disputes/{dispute_id}/resolve/", {"adjustment": "-5.00", "note": "Ok"},
                      format="json")
    assert done.status_code == 200 and done.json()["adjustment"] == "-5.00"
    statement.refresh_from_db()
    assert (statement.status, statement.total) == ("adjusted", sum(ln.amount for ln in statement.lines.all()))
    assert str(statement.total) == "290.00"  # $295.00 - $5.00


def test_the_program_sees_every_week_and_the_finance_csv(client, two):
    client.force_login(AdminFactory())
    page = client.get(reverse("performance:program")).content.decode()
    # $295.00 + ($235 base + 50 x $0.40 + 50 x $0.20 Fantastic+ incentive = $265.00)
    assert "$560.00" in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("performance:program_finance_csv")).content.decode())))
    assert rows[0]["week_start"] == "2026-03-01" and rows[0]["statements"] == "2"
    kinds = ["route_base", "packages", "tier_incentive", "peak", "chargeback", "deduction", "late_outcomes",
             "adjustment"]
    assert sum(float(rows[0][k]) for k in kinds) == float(rows[0]["total"])
