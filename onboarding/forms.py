"""Wizard, review and checklist forms. They check formats; services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from onboarding.models import Application, ApplicationDocument, BackgroundCheck
from onboarding.steps import STEP_BY_NUMBER

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Kind = ApplicationDocument.Kind

_WIDGETS = {
    "date_of_birth": DATE, "service_start": DATE, "service_end": DATE,
    "employment_history": forms.Textarea(attrs={"rows": 5, "placeholder": _("Employer, role, years; one per line.")}),
    "prior_business_details": forms.Textarea(attrs={"rows": 3}),
    "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    "legal_name": forms.TextInput(attrs={"autocomplete": "name"}),
    "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
    "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
    "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    "ein": forms.TextInput(attrs={"placeholder": "12-3456789"}),
}

DOCUMENT_ACCEPT = {"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}


def _file_field(label):
    return forms.FileField(label=label, required=False, widget=forms.ClearableFileInput(attrs=DOCUMENT_ACCEPT),
                           help_text=_("PDF, JPEG or PNG, at most 10 MB."))


class StepForm(forms.ModelForm):
    """Every answer is optional here (a draft may be half done); completeness is checked per step in steps.py."""

    document_kinds: tuple[str, ...] = ()

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        if "region" in self.fields and regions is not None:
            self.fields["region"].queryset = regions
        if "liquid_capital" in self.fields:
            # Typed as people write money ("$45,000"); parsed by core.money.parse_amount like every amount.
            self.fields["liquid_capital"] = AmountField(label=self.fields["liquid_capital"].label, required=False,
                                                        allow_zero=True)
        if "ein" in self.fields:
            self.fields["ein"].help_text = _("Optional until approval. Format 12-3456789.")
        kinds = list(self.document_kinds)
        if self.instance and not self.instance.is_veteran and Kind.DD214 in kinds:
            kinds.remove(Kind.DD214)
        for kind in kinds:
            self.fields[f"doc_{kind}"] = _file_field(Kind(kind).label)

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def uploads(self) -> dict:
        return {name[4:]: f for name, f in self.cleaned_data.items() if name.startswith("doc_") and f}

    def _post_clean(self):
        # Formats only: the model's own validators run in the service, on the locked row.
        pass


def step_form_class(number: int) -> type[StepForm]:
    step = STEP_BY_NUMBER[number]
    meta = type("Meta", (), {"model": Application, "fields": list(step.fields),
                             "widgets": {k: v for k, v in _WIDGETS.items() if k in step.fields}})
    return type(f"Step{number}Form", (StepForm,), {"Meta": meta, "document_kinds": tuple(step.documents)})


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("needs_info", _("Ask for information")),
                                          ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note to the applicant"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when asking for information or rejecting."))


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("Check"), choices=BackgroundCheck.Kind.choices)
    status = forms.ChoiceField(label=_("Result"), choices=BackgroundCheck.Result.choices)
    reference = forms.CharField(label=_("Provider reference"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False)


class VeteranForm(forms.Form):
    verified = forms.TypedChoiceField(label=_("Service"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("Verified")), ("no", _("Not verified"))])
    note = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when the service cannot be verified."))


class ChecklistForm(forms.Form):
    training_done = forms.BooleanField(label=_("Training done"), required=False)
    first_route_on = forms.DateField(label=_("First route date"), required=False, widget=DATE)


class EinForm(forms.Form):
    ein = forms.CharField(label=_("EIN"), max_length=10, widget=forms.TextInput(attrs={"placeholder": "12-3456789"}))


AGE_CHOICES = [("", _("Any age")), ("within_sla", _("Within SLA")), ("overdue", _("Past SLA"))]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("open", _("Awaiting review")), ("", _("All")), *Application.Status.choices])
    track = forms.ChoiceField(label=_("Track"), required=False, choices=[("", _("Any")), *Application.Track.choices])
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=None, empty_label=_("Any"))
    age = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_CHOICES)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
