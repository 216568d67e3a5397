"""The e-mails an applicant or a veteran owner receives. Sent by a task enqueued after commit (see services)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.claims.models import Claim
from onboarding.models import Application, PartnerMembership

SUBJECTS = {
    "submitted": lambda app: _("We received your application #%(id)s") % {"id": app.pk},
    "needs_info": lambda app: _("Your application #%(id)s needs more information") % {"id": app.pk},
    "decided": lambda app: (_("Your application #%(id)s was approved") if app.status in ("approved", "onboarded")
                            else _("A decision on your application #%(id)s")) % {"id": app.pk},
}


def application_email(application: Application, kind: str) -> int:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown application e-mail {kind!r}")
    context = {
        "application": application,
        "program_name": settings.PROGRAM_NAME,
        "url": settings.SITE_URL.rstrip("/") + reverse("onboarding:application", args=[application.pk]),
    }
    body = render_to_string(f"onboarding/email/{kind}.txt", context)
    return send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{SUBJECTS[kind](application)}", body,
                     settings.DEFAULT_FROM_EMAIL, [application.applicant.email])


CLAIM_SUBJECTS = {
    "decided": lambda claim: _("A decision on your reimbursement claim #%(id)s") % {"id": claim.pk},
    "paid": lambda claim: _("Your reimbursement claim #%(id)s was paid") % {"id": claim.pk},
    "payout_failed": lambda claim: _("The payout of your reimbursement claim #%(id)s failed") % {"id": claim.pk},
}


def claim_email(claim: Claim, kind: str) -> int:
    """To the company's owners: the claim was decided, paid, or its payout failed."""
    if kind not in CLAIM_SUBJECTS:
        raise ValueError(f"unknown claim e-mail {kind!r}")
    owners = list(PartnerMembership.objects.filter(partner_id=claim.partner_id, role=PartnerMembership.Role.OWNER)
                  .values_list("user__email", flat=True))
    if not owners:
        return 0
    last = claim.events.filter(to_status=claim.status).order_by("-pk").first()
    context = {
        "claim": claim,
        "reason": last.note if last else "",
        "program_name": settings.PROGRAM_NAME,
        "url": settings.SITE_URL.rstrip("/") + reverse("onboarding:reimbursement"),
    }
    body = render_to_string(f"onboarding/email/claim_{kind}.txt", context)
    return send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{CLAIM_SUBJECTS[kind](claim)}", body,
                     settings.DEFAULT_FROM_EMAIL, owners)
