"""The e-mails an applicant receives. Sent by a task enqueued after commit (see services)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.models import Application

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
