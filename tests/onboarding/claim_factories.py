"""Helpers for claim tests: a verified-veteran partner, receipts, claims in a given status."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.servicedays import service_today
from onboarding.claims.models import Claim, ClaimCategory
from onboarding.claims.services import claim_create, claim_decide
from onboarding.models import Application
from tests.factories import AdminFactory
from tests.onboarding.conftest import PDF_BYTES, PNG_BYTES
from tests.onboarding.factories import ApplicationFactory, PartnerMembershipFactory


def veteran_partner(*, approved_days_ago: int = 30, verified: bool = True, **partner_kwargs):
    """A partner approved `approved_days_ago` days ago whose owner is (or is not) a verified veteran."""
    membership = PartnerMembershipFactory(**{f"partner__{k}": v for k, v in partner_kwargs.items()})
    partner, owner = membership.partner, membership.user
    decided = timezone.now() - timedelta(days=approved_days_ago)
    application = ApplicationFactory(
        applicant=owner, veteran=True, status=Application.Status.ONBOARDED, decided_at=decided,
        veteran_status=Application.VeteranStatus.VERIFIED if verified else Application.VeteranStatus.UNVERIFIED)
    partner.application, partner.veteran_owned, partner.created_at = application, verified, decided
    partner.save()
    return partner, owner


def receipt(name: str = "receipt.pdf", content: bytes = PDF_BYTES, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_receipt(name: str = "receipt.png", salt: bytes = b""):
    return SimpleUploadedFile(name, PNG_BYTES + salt, content_type="image/png")


def unique_pdf(tag: str) -> bytes:
    return PDF_BYTES + f"% {tag}\n".encode()


def category(code: str = "legal_accounting") -> ClaimCategory:
    """A seeded category (re-created after a transactional test flushed the seed migration's rows)."""
    return ClaimCategory.objects.get_or_create(code=code, defaults={
        "name": code.replace("_", " ").capitalize(), "eligible": code != "vans"})[0]


def submitted_claim(partner, owner, amount="1000.00", *, vendor=None, incurred_on=None, content=None) -> Claim:
    n = Claim.objects.count() + 1
    return claim_create(partner=partner, created_by=owner, category=category(), vendor=vendor or f"Vendor {n}",
                        incurred_on=incurred_on or service_today() - timedelta(days=5), amount=amount,
                        description="Start-up expense.", submit=True,
                        receipts=[receipt(content=content or unique_pdf(f"claim {n} {amount} {vendor}"))])


def approved_claim(partner, owner, amount="1000.00", *, admin=None, partial=None) -> Claim:
    claim = submitted_claim(partner, owner, amount)
    admin = admin or AdminFactory()
    if partial is not None:
        return claim_decide(claim=claim, decided_by=admin, decision="partial", approved_amount=Decimal(partial),
                            note="Part of it is not a start-up cost.")
    return claim_decide(claim=claim, decided_by=admin, decision="approve")
