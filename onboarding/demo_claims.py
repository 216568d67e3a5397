"""Demo reimbursement for `manage.py seed_demo`: the demo owner is a verified veteran with a paid, a partially
approved, and a submitted claim (flagged as a likely duplicate), so the page shows cap, approved, paid, remaining.

Offline and idempotent: rows are written directly (the transfer as already `paid`, `tr_demo_` id, no Stripe call),
and nothing is made twice."""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.demo import demo_user
from core.servicedays import day_of, service_today
from onboarding.claims.models import Claim, ClaimCategory, ClaimEvent, ClaimReceipt
from onboarding.demo import ADMIN, DEMO_PDF, OWNER, PARTNER_NAME
from onboarding.models import Application, ApplicationDocument, ApplicationEvent, Partner
from payments.models import ConnectedAccount, Transfer, TransferLog

S = Claim.Status
FILING = DEMO_PDF + b"% Georgia Secretary of State, LLC filing and registered agent\n"
UNIFORMS = DEMO_PDF + b"% Cintas, uniforms, hand trucks and phones\n"


def _make_veteran(partner, admin):
    app = partner.application
    if app is None or app.veteran_status == Application.VeteranStatus.VERIFIED:
        return
    verified = (app.decided_at or timezone.now()) - timedelta(days=1)
    Application.objects.filter(pk=app.pk).update(
        is_veteran=True, track=Application.Track.VETERAN, military_branch="army", discharge_type="honorable",
        service_start=service_today().replace(year=2006, month=7, day=10),
        service_end=service_today().replace(year=2014, month=7, day=9),
        veteran_status=Application.VeteranStatus.VERIFIED, veteran_verified_by=admin, veteran_verified_at=verified)
    if not app.documents.filter(kind=ApplicationDocument.Kind.DD214).exists():
        doc = ApplicationDocument(application=app, kind=ApplicationDocument.Kind.DD214, original_name="dd214.pdf",
                                  content_type="application/pdf", size=len(DEMO_PDF), sha256="demo",
                                  uploaded_by=app.applicant)
        doc.file.save("dd214.pdf", ContentFile(DEMO_PDF), save=False)
        doc.save()
    ApplicationEvent.objects.create(application=app, actor=admin, from_status=app.status, to_status=app.status,
                                    note="Veteran service verified.", created_at=verified)
    Partner.objects.filter(pk=partner.pk).update(veteran_owned=True)


def _claim(partner, owner, admin, *, code, vendor, days_ago, amount, description, receipt, status, approved=None,
           note=""):
    when = timezone.now() - timedelta(days=days_ago)
    category = ClaimCategory.objects.get(code=code)
    claim = Claim.objects.create(partner=partner, category=category, vendor=vendor, amount=Decimal(amount),
                                 incurred_on=day_of(when) - timedelta(days=3), description=description,
                                 created_by=owner, created_at=when, submitted_at=when, status=status,
                                 status_changed_at=when)
    stored = ClaimReceipt(claim=claim, original_name=f"{vendor.lower().replace(' ', '-')}-receipt.pdf",
                          content_type="application/pdf", size=len(receipt),
                          sha256=hashlib.sha256(receipt).hexdigest(), uploaded_by=owner, uploaded_at=when)
    stored.file.save("receipt.pdf", ContentFile(receipt), save=False)
    stored.save()
    events = [(owner, "", S.DRAFT, "", when), (owner, S.DRAFT, S.SUBMITTED, "", when)]
    if approved is not None:
        decided = when + timedelta(days=2)
        decision = S.APPROVED if Decimal(approved) == claim.amount else S.PARTIALLY_APPROVED
        Claim.objects.filter(pk=claim.pk).update(approved_amount=Decimal(approved), decided_at=decided,
                                                 decided_by=admin, decision_note=note)
        events.append((admin, S.SUBMITTED, decision, note, decided))
    ClaimEvent.objects.bulk_create([ClaimEvent(claim=claim, actor=actor, from_status=src, to_status=dst, note=text,
                                               created_at=at) for actor, src, dst, text, at in events])
    claim.refresh_from_db()
    return claim


def _paid(claim, admin):
    """Record the payout as Stripe would have confirmed it (no Stripe call).

    The payout account row is left unconnected (no Stripe id): "Connect Stripe" creates it at the Stripe that
    `make run` talks to (the local stand-in), so the demo's next payout run pays a real account there."""
    account, _created = ConnectedAccount.objects.get_or_create(
        holder=f"partner:{claim.partner_id}", defaults={"email": OWNER})
    paid_at = claim.decided_at + timedelta(days=1)
    transfer = Transfer.objects.create(
        account=account, amount=claim.approved_amount, purpose="claim", reference=claim.reference,
        idempotency_key=claim.idempotency_key, stripe_transfer_id=f"tr_demo_{claim.pk}", status=Transfer.Status.PAID,
        description=f"Veteran start-up reimbursement, claim #{claim.pk}", created_at=paid_at, submitted_at=paid_at,
        paid_at=paid_at, status_changed_at=paid_at)
    TransferLog.objects.bulk_create([
        TransferLog(transfer=transfer, from_status="", to_status=Transfer.Status.PENDING, created_at=paid_at),
        TransferLog(transfer=transfer, from_status=Transfer.Status.PENDING, to_status=Transfer.Status.SUBMITTED,
                    created_at=paid_at),
        TransferLog(transfer=transfer, from_status=Transfer.Status.SUBMITTED, to_status=Transfer.Status.PAID,
                    note="from Stripe", created_at=paid_at)])
    Claim.objects.filter(pk=claim.pk).update(status=S.PAID, paid_at=paid_at, status_changed_at=paid_at)
    ClaimEvent.objects.bulk_create([
        ClaimEvent(claim=claim, actor=admin, from_status=claim.status, to_status=S.PAYOUT_PENDING, note="Payout run.",
                   created_at=paid_at),
        ClaimEvent(claim=claim, from_status=S.PAYOUT_PENDING, to_status=S.PAID,
                   note=f"Paid through Stripe (tr_demo_{claim.pk}).", created_at=paid_at)])


def seed(*, log):
    partner = Partner.objects.select_related("application").filter(legal_name=PARTNER_NAME).first()
    if partner is None:
        return []
    admin, owner = demo_user(ADMIN), demo_user(OWNER)
    _make_veteran(partner, admin)
    if not partner.claims.exists():
        filing = _claim(partner, owner, admin, code="business_formation", vendor="Georgia Secretary of State",
                        days_ago=20, amount="2450.00", receipt=FILING, status=S.APPROVED, approved="2450.00",
                        description="LLC filing, registered agent for a year, Atlanta business licence.")
        _paid(filing, admin)
        _claim(partner, owner, admin, code="uniforms_equipment", vendor="Cintas", days_ago=12, amount="3200.00",
               receipt=UNIFORMS, status=S.PARTIALLY_APPROVED, approved="2000.00",
               description="Driver uniforms, six hand trucks, ten phones with mounts.",
               note="Uniforms and hand trucks approved; the phones are on a personal plan, so not reimbursable.")
        _claim(partner, owner, admin, code="business_formation", vendor="Georgia Secretary of State", days_ago=2,
               amount="2450.00", receipt=FILING, status=S.SUBMITTED,
               description="Business formation fees (filed again by mistake).")
    log(f"claims: {Claim.objects.count()} claims")
    return []
