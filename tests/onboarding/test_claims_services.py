"""Filing and deciding claims: who may, when, for how much; the cap; duplicates; every move on the log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.servicedays import service_today
from onboarding.claims.models import Claim
from onboarding.claims.selectors import claim_get, claim_list, claim_summary
from onboarding.claims.services import claim_create, claim_decide, claim_receipt_add, claim_submit
from onboarding.models import PartnerMembership
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import (
    approved_claim,
    category,
    receipt,
    submitted_claim,
    unique_pdf,
    veteran_partner,
)
from tests.onboarding.conftest import EXE_BYTES, PDF_BYTES

pytestmark = pytest.mark.django_db


def _file(partner, owner, **overrides):
    data = {"partner": partner, "created_by": owner, "category": category(), "vendor": "Peach State Filings",
            "incurred_on": service_today() - timedelta(days=3), "amount": "250.00",
            "description": "LLC formation fee.", "receipts": [receipt()], "submit": True}
    data.update(overrides)
    return claim_create(**data)


def test_a_verified_veteran_files_a_claim_with_a_receipt_and_it_is_logged():
    partner, owner = veteran_partner()
    claim = _file(partner, owner)
    assert claim.status == Claim.Status.SUBMITTED and claim.amount == Decimal("250.00")
    receipt_row = claim.receipts.get()
    assert receipt_row.content_type == "application/pdf" and len(receipt_row.sha256) == 64
    assert [(e.from_status, e.to_status, e.actor) for e in claim.events.all()] == [
        ("", "draft", owner), ("draft", "submitted", owner)]


def test_a_partner_whose_owner_is_not_a_verified_veteran_cannot_claim():
    partner, owner = veteran_partner(verified=False)
    with pytest.raises(Conflict) as exc:
        _file(partner, owner)
    assert exc.value.code == "veteran_not_verified"
    assert not Claim.objects.exists()


def test_a_claim_after_the_window_closes_is_refused_with_the_date():
    partner, owner = veteran_partner(approved_days_ago=10)
    with freeze_time(timezone.now() + timedelta(days=400)), pytest.raises(Conflict) as exc:
        _file(partner, owner, incurred_on=service_today() - timedelta(days=1))
    assert exc.value.code == "claim_window_closed"
    assert "closed on" in exc.value.detail
    with freeze_time(timezone.now() + timedelta(days=300)):
        assert _file(partner, owner, incurred_on=service_today()).status == "submitted"


@pytest.mark.parametrize("amount", ["-50.00", "0", "12.345", "abc"])
def test_negative_zero_three_place_or_garbled_amounts_are_refused(amount):
    partner, owner = veteran_partner()
    with pytest.raises(ValidationFailed) as exc:
        _file(partner, owner, amount=amount)
    assert exc.value.code == "amount_invalid" and "amount" in exc.value.fields
    assert not Claim.objects.exists()


def test_an_executable_renamed_pdf_is_not_a_receipt():
    partner, owner = veteran_partner()
    with pytest.raises(ValidationFailed) as exc:
        _file(partner, owner, receipts=[receipt("invoice.pdf", EXE_BYTES)])
    assert exc.value.code == "file_type_not_allowed"
    assert not Claim.objects.exists()


def test_a_receipt_over_10_mb_is_refused():
    partner, owner = veteran_partner()
    big = PDF_BYTES + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as exc:
        _file(partner, owner, receipts=[receipt("big.pdf", big)])
    assert exc.value.code == "file_too_large"


def test_a_claim_cannot_be_submitted_without_a_receipt_but_one_can_be_added_to_the_draft():
    partner, owner = veteran_partner()
    draft = _file(partner, owner, receipts=[], submit=False)
    with pytest.raises(ValidationFailed) as exc:
        claim_submit(claim=draft, submitted_by=owner)
    assert exc.value.code == "receipt_required"
    claim_receipt_add(claim=draft, upload=receipt(), uploaded_by=owner)
    assert claim_submit(claim=draft, submitted_by=owner).status == "submitted"


def test_vans_are_not_eligible_by_default():
    partner, owner = veteran_partner()
    with pytest.raises(ValidationFailed) as exc:
        _file(partner, owner, category=category("vans"))
    assert exc.value.code == "category_not_eligible"


def test_a_manager_cannot_file_and_another_partners_claim_is_not_found():
    partner, owner = veteran_partner()
    claim = _file(partner, owner)
    other_partner, other_owner = veteran_partner()
    with pytest.raises(NotFound):
        claim_get(user=other_owner, claim_id=claim.pk)
    with pytest.raises(NotFound):
        _file(partner, other_owner)
    assert list(claim_list(fetched_by=other_owner)) == []


def test_the_second_claim_cannot_exceed_the_10000_cap_but_can_be_approved_down_to_what_remains():
    partner, owner = veteran_partner()
    admin = AdminFactory()
    approved_claim(partner, owner, "7000.00", admin=admin)
    second = submitted_claim(partner, owner, "4500.00")
    with pytest.raises(Conflict) as exc:
        claim_decide(claim=second, decided_by=admin, decision="approve")
    assert exc.value.code == "cap_exceeded" and "3,000.00" in exc.value.detail
    with pytest.raises(Conflict):
        claim_decide(claim=second, decided_by=admin, decision="partial", approved_amount="3000.01", note="cap")
    second = claim_decide(claim=second, decided_by=admin, decision="partial", approved_amount="3000.00",
                          note="Only $3,000 remained under the cap.")
    assert (second.status, second.approved_amount) == ("partially_approved", Decimal("3000.00"))
    summary = claim_summary(partner=partner)
    assert (summary.approved, summary.remaining) == (Decimal("10000.00"), Decimal("0.00"))
    third = submitted_claim(partner, owner, "10.00")
    with pytest.raises(Conflict) as exc:
        claim_decide(claim=third, decided_by=admin, decision="partial", approved_amount="5.00", note="x")
    assert exc.value.code == "cap_reached"


def test_the_cap_is_a_setting(program_settings):
    program_settings.claim_cap = Decimal("500.00")
    program_settings.save()
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "600.00")
    with pytest.raises(Conflict):
        claim_decide(claim=claim, decided_by=AdminFactory(), decision="approve")


def test_partial_approval_and_rejection_need_a_reason():
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    admin = AdminFactory()
    for decision in ("partial", "reject"):
        with pytest.raises(ValidationFailed) as exc:
            claim_decide(claim=claim, decided_by=admin, decision=decision, approved_amount="100.00", note="  ")
        assert exc.value.code == "reason_required"
    claim = claim_decide(claim=claim, decided_by=admin, decision="reject", note="Personal expense.")
    assert claim.status == "rejected" and claim.approved_amount is None
    event = claim.events.last()
    assert (event.actor, event.to_status, event.note) == (admin, "rejected", "Personal expense.")


def test_an_admin_who_belongs_to_the_partner_cannot_approve_its_claims():
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    insider = AdminFactory()
    PartnerMembership.objects.create(partner=partner, user=insider, role=PartnerMembership.Role.MANAGER)
    with pytest.raises(PermissionDenied) as exc:
        claim_decide(claim=claim, decided_by=insider, decision="approve")
    assert exc.value.code == "own_company"
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_decided_claim_cannot_be_decided_again():
    partner, owner = veteran_partner()
    claim = approved_claim(partner, owner, "100.00")
    with pytest.raises(Conflict) as exc:
        claim_decide(claim=claim, decided_by=AdminFactory(), decision="reject", note="changed my mind")
    assert exc.value.code == "invalid_transition"


def test_likely_duplicates_are_flagged_same_receipt_or_same_vendor_date_and_amount():
    partner, owner = veteran_partner()
    day = service_today() - timedelta(days=2)
    first = submitted_claim(partner, owner, "120.00", vendor="Office Depot", incurred_on=day, content=unique_pdf("a"))
    same_purchase = submitted_claim(partner, owner, "120.00", vendor="office depot ", incurred_on=day,
                                    content=unique_pdf("b"))
    same_file = submitted_claim(partner, owner, "99.00", vendor="Staples", content=unique_pdf("a"))
    unrelated = submitted_claim(partner, owner, "42.00", vendor="Kinkos", content=unique_pdf("c"))
    flags = {c.pk: (c.dup_receipt, c.dup_purchase) for c in claim_list(fetched_by=AdminFactory())}
    assert flags[first.pk] == (True, True)
    assert flags[same_purchase.pk] == (False, True)
    assert flags[same_file.pk] == (True, False)
    assert flags[unrelated.pk] == (False, False)


# --- the owners hear of decisions, after commit -------------------------------------------------


@pytest.mark.parametrize(("decision", "amount", "note", "says"), [
    ("approve", None, "", "approved for $800.00"),
    ("partial", "500.00", "The filing fee only.", "approved in part: $500.00 of the $800.00"),
    ("reject", None, "Personal expense.", "was not approved"),
])
def test_the_owner_is_mailed_the_decision_only_after_commit(django_capture_on_commit_callbacks, decision, amount,
                                                            note, says):
    from django.core import mail

    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claim_decide(claim=claim, decided_by=AdminFactory(), decision=decision, approved_amount=amount, note=note)
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    message = mail.outbox[0]
    assert f"claim #{claim.pk}" in message.subject
    assert says in message.body and note in message.body
    assert "/onboarding/reimbursement/" in message.body


def test_a_refused_decision_mails_nobody(django_capture_on_commit_callbacks):
    from django.core import mail

    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        claim_decide(claim=claim, decided_by=AdminFactory(), decision="reject", note="")
    assert mail.outbox == []
