from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.permissions import ALL_SCOPES


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “Dispatch sync”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=[(s, s) for s in ALL_SCOPES],
                                       widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label=_("Expires"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text=_("Leave empty for a token that does not expire."))


class SignupForm(forms.Form):
    """Extra sign-up field (allauth adds e-mail and password): the person's name."""

    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
