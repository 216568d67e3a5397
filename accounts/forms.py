from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.permissions import ALL_SCOPES


class ApiTokenForm(forms.Form):
    issue_to = forms.EmailField(label=_("Issue to account"), required=False,
                                help_text=_("Program admins: the e-mail of the integrator account that will own "
                                            "the token. Leave empty for your own."))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “Dispatch sync”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=[(s, s) for s in ALL_SCOPES],
                                       widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label=_("Expires"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text=_("Leave empty for a token that does not expire."))

    def __init__(self, *args, can_issue=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_issue:
            del self.fields["issue_to"]

    def clean_issue_to(self):
        email = self.cleaned_data.get("issue_to")
        if not email:
            return None
        from accounts.models import User

        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            raise forms.ValidationError(_("No account has this e-mail address."))
        return owner


class SignupForm(forms.Form):
    """Extra sign-up field (allauth adds e-mail and password): the person's name."""

    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
