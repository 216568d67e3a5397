"""The e-mails an applicant or a veteran owner receives: written to the outbox in the transaction of the change
(core.mail), sent after it commits."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.mail import mail_queue
from onboarding.claims.models import Claim
from onboarding.models import Application, PartnerMembership

SUBJECTS = {
    "submitted": lambda app: _("We received your application #%(id)s") % {"id": app.pk},
    "needs_info": lambda app: _("Your application #%(id)s needs more information") % {"id": app.pk},
    "decided": lambda app: (_("Your application #%(id)s was approved") if app.status in ("approved", "onboarded")
                            else _("A decision on your application #%(id)s")) % {"id": app.pk},
}


def application_email_queue(application: Application, kind: str) -> None:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown application e-mail {kind!r}")
    context = {
        "application": application,
        "program_name": settings.PROGRAM_NAME,
        "url": settings.SITE_URL.rstrip("/") + reverse("onboarding:application", args=[application.pk]),
    }
    body = render_to_string(f"onboarding/email/{kind}.txt", context)
    mail_queue(to=[application.applicant.email], subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}"
               f"{SUBJECTS[kind](application)}", body=body, from_email=settings.DEFAULT_FROM_EMAIL)


CLAIM_SUBJECTS = {
    "decided": lambda claim: _("A decision on your reimbursement claim #%(id)s") % {"id": claim.pk},
    "paid": lambda claim: _("Your reimbursement claim #%(id)s was paid") % {"id": claim.pk},
    "payout_failed": lambda claim: _("The payout of your reimbursement claim #%(id)s failed") % {"id": claim.pk},
}


def claim_email_queue(claim: Claim, kind: str) -> None:
    """To the company's owners: the claim was decided, paid, or its payout failed."""
    if kind not in CLAIM_SUBJECTS:
        raise ValueError(f"unknown claim e-mail {kind!r}")
    owners = list(PartnerMembership.objects.filter(partner_id=claim.partner_id, role=PartnerMembership.Role.OWNER)
                  .values_list("user__email", flat=True))
    if not owners:
        return
    last = claim.events.filter(to_status=claim.status).order_by("-pk").first()
    context = {
        "claim": claim,
        "reason": last.note if last else "",
        "program_name": settings.PROGRAM_NAME,
        "url": settings.SITE_URL.rstrip("/") + reverse("onboarding:reimbursement"),
    }
    body = render_to_string(f"onboarding/email/claim_{kind}.txt", context)
    mail_queue(to=owners, subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{CLAIM_SUBJECTS[kind](claim)}",
               body=body, from_email=settings.DEFAULT_FROM_EMAIL)
