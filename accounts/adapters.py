from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives

from core.mail import mail_queue


def program_site() -> SimpleNamespace:
    """What allauth's mails call "the site": the program by name, not the host the request came in on."""
    return SimpleNamespace(name=settings.PROGRAM_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become applicants; program admins are made by other admins, never by sign-up."""

    def format_email_subject(self, subject):
        return f"[{settings.PROGRAM_NAME}] {subject}"

    def render_mail(self, template_prefix, email, context, headers=None):
        return super().render_mail(template_prefix, email, {**context, "current_site": program_site()}, headers)

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.role = getattr(request, "signup_role", None) or user.role
        user.is_staff = False
        user.is_superuser = False
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (verification, password reset, security notices) go through the outbox like every
        other: rendered now, sent after the request's transaction commits, and kept if the broker is down."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        msg = self.render_mail(template_prefix, email, ctx)
        html = next((content for content, mimetype in getattr(msg, "alternatives", []) if mimetype == "text/html"), "")
        body = msg.body
        if not isinstance(msg, EmailMultiAlternatives) and msg.content_subtype == "html":
            body, html = "", msg.body
        mail_queue(to=msg.to, subject=msg.subject, body=body, html=html, from_email=msg.from_email or "")
