"""Claim forms: they check formats; the services decide what is allowed (cap, window, file content)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from onboarding.claims.models import Claim, ClaimCategory

RECEIPT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": RECEIPT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ClaimForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=ClaimCategory.objects.filter(eligible=True))
    vendor = forms.CharField(label=_("Vendor"), max_length=150)
    incurred_on = forms.DateField(label=_("Date incurred"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = AmountField(label=_("Amount (USD)"))
    description = forms.CharField(label=_("What was it for?"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    receipts = MultipleFileField(label=_("Receipts"), help_text=_("One or more PDF, JPEG or PNG files, at most 10 MB "
                                                                  "each."))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve the full amount")), ("partial", _("Approve part of it")), ("reject", _("Reject"))])
    approved_amount = AmountField(label=_("Amount to approve (USD), for a partial approval"), required=False)
    note = forms.CharField(label=_("Reason (required to approve part or reject)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


STATUS_CHOICES = [("open", _("Awaiting decision")), ("", _("All"))] + [
    (value, label) for value, label in Claim.Status.choices if value != Claim.Status.DRAFT]


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=ClaimCategory.objects.all(), required=False,
                                      empty_label=_("All"))
    duplicates = forms.BooleanField(label=_("Likely duplicates only"), required=False)
