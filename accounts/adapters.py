from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


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
