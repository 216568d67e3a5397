from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become applicants; program admins are made by other admins, never by sign-up."""

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
