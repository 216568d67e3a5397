"""Disputes: inside the window a line is disputed and an admin resolves it with a logged adjustment;
outside it the partner is told so and nothing changes."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from core.errors import Conflict, ValidationFailed
from core.models import OutboxEvent
from performance.models import Dispute, LineKind, StatementStatus
from performance.services.statements import dispute_resolve, statement_approve, statement_dispute
from tests.factories import AdminFactory
from tests.onboarding.conftest import PNG_BYTES

pytestmark = pytest.mark.django_db


def test_issuing_sets_a_seven_day_window_and_records_the_events(issued):
    statement, _owner = issued
    assert statement.total == Decimal("295.00") and statement.status == StatementStatus.ISSUED
    assert (statement.dispute_until - statement.issued_at).days == 7
    types = set(OutboxEvent.objects.values_list("type", flat=True))
    assert {"scorecard.published", "partner_statement.issued"} <= types
    event = OutboxEvent.objects.get(type="partner_statement.issued")
    assert event.audience.partner_ids == {statement.partner_id}


def test_a_dispute_inside_the_window_is_resolved_with_a_logged_adjustment(issued):
    statement, owner = issued
    line = statement.lines.get(kind=LineKind.PACKAGES)
    with freeze_time("2026-03-15 18:00:00"):  # six days later
        dispute = statement_dispute(statement=statement, line_id=line.pk, reason="Two packages missing from the count",
                                    attachment=SimpleUploadedFile("scan.png", PNG_BYTES), by=owner)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISPUTED and dispute.attachment.name
    with pytest.raises(Conflict):
        statement_approve(statement=statement, by=AdminFactory())
    admin = AdminFactory()
    dispute_resolve(dispute=dispute, adjustment="0.80", note="Two scans arrived late: paid.", by=admin)
    statement.refresh_from_db()
    adjustment = statement.lines.get(kind=LineKind.ADJUSTMENT)
    assert (adjustment.amount, adjustment.dispute_id) == (Decimal("0.80"), dispute.pk)
    assert statement.total == Decimal("295.80") == sum(ln.amount for ln in statement.lines.all())
    assert statement.status == StatementStatus.ADJUSTED
    last = statement.log.last()
    assert (last.from_status, last.to_status, last.actor) == ("disputed", "adjusted", admin)
    assert "Two scans arrived late" in last.note
    assert statement_approve(statement=statement, by=admin).status == StatementStatus.APPROVED


def test_a_dispute_after_the_window_is_refused_and_changes_nothing(issued):
    statement, owner = issued
    line = statement.lines.first()
    with freeze_time("2026-03-16 19:00:01"), pytest.raises(Conflict) as refused:  # 7 days and a second later
        statement_dispute(statement=statement, line_id=line.pk, reason="Too late", by=owner)
    assert refused.value.code == "dispute_window_closed"
    assert "ended on" in refused.value.detail
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED and not Dispute.objects.exists()


def test_a_dispute_needs_a_reason_and_a_line_of_this_statement(issued):
    statement, owner = issued
    with freeze_time("2026-03-10 10:00:00"):
        with pytest.raises(ValidationFailed):
            statement_dispute(statement=statement, line_id=statement.lines.first().pk, reason="  ", by=owner)
        with pytest.raises(ValidationFailed):
            statement_dispute(statement=statement, line_id="987654", reason="Wrong", by=owner)
    assert not Dispute.objects.exists()
