from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from fleet.forms import DateInput
from fleet.models import Inspection, MaintenanceSchedule, Severity, WorkOrder
from fleet.services.vehicles import MAX_ODOMETER_MILES

OK = "ok"
ITEM_CHOICES = [(OK, _("OK")), *Severity.choices]


class InspectionForm(forms.Form):
    """One select per checklist item (OK or a severity), a note and a photo for each; the van, the kind, the
    odometer. `defects()` and `defect_photos()` give the service its arguments."""

    vehicle = forms.TypedChoiceField(label=_("van"), coerce=int)
    kind = forms.ChoiceField(label=_("inspection"), choices=Inspection.Kind.choices, initial=Inspection.Kind.PRE_TRIP)
    odometer_miles = forms.IntegerField(label=_("odometer (miles)"), min_value=0, max_value=MAX_ODOMETER_MILES,
                                        required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("anything else"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    photos = forms.FileField(label=_("photos of the van"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, vehicles, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["vehicle"].choices = [("", _("Choose the van"))] + [
            (v.pk, f"{v.plate or v.vin} · {v.make} {v.model}") for v in vehicles]
        for item in self.items:
            self.fields[f"item_{item.code}"] = forms.ChoiceField(label=item.label, choices=ITEM_CHOICES, initial=OK,
                                                                 help_text=item.hint)
            self.fields[f"note_{item.code}"] = forms.CharField(label=_("what is wrong"), max_length=300,
                                                               required=False)
            self.fields[f"photo_{item.code}"] = forms.FileField(
                label=_("photo"), required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def rows(self):
        """(item, select, note, photo) bound fields, for the template."""
        return [(i, self[f"item_{i.code}"], self[f"note_{i.code}"], self[f"photo_{i.code}"]) for i in self.items]

    def clean(self):
        data = super().clean()
        for item in self.items:
            if data.get(f"item_{item.code}") in (Severity.MEDIUM, Severity.HIGH) and not data.get(f"note_{item.code}"):
                self.add_error(f"note_{item.code}", _("Say what is wrong with the %(i)s.") % {"i": item.label.lower()})
        return data

    def defects(self) -> list[dict]:
        d = self.cleaned_data
        return [{"item": i.code, "severity": d[f"item_{i.code}"], "note": d.get(f"note_{i.code}", "")}
                for i in self.items if d.get(f"item_{i.code}") not in (None, "", OK)]

    def defect_photos(self, files) -> dict:
        return {i.code: files.getlist(f"photo_{i.code}") for i in self.items if files.getlist(f"photo_{i.code}")}


class WorkOrderForm(forms.ModelForm):
    cost = AmountField(label=_("cost (USD)"), allow_zero=True, required=False)

    class Meta:
        model = WorkOrder
        fields = ["title", "performer", "vendor_name", "cost", "parts", "odometer_miles", "scheduled_for"]
        widgets = {"scheduled_for": DateInput(), "parts": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass  # the service validates (one sentence for page and API)


class NewWorkOrderForm(WorkOrderForm):
    vehicle = forms.TypedChoiceField(label=_("van"), coerce=int)

    class Meta(WorkOrderForm.Meta):
        fields = ["vehicle", *WorkOrderForm.Meta.fields]

    def __init__(self, *args, vehicles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].choices = [("", _("Choose the van"))] + [(v.pk, str(v)) for v in vehicles]
        self.order_fields(["vehicle"])


class WorkOrderPhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = MaintenanceSchedule
        fields = ["kind", "label", "every_miles", "every_months", "lead_days", "lead_miles"]

    def _post_clean(self):
        pass
