from django import forms
from django.utils.translation import gettext_lazy as _

from fleet.selectors import driver_choice_labels
from hubs.models import AttemptReason


class ManifestUploadForm(forms.Form):
    service_date = forms.DateField(label=_("Service date"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("Manifest (CSV)"), help_text=_(
        "Columns: tracking_id, recipient_name, address_line1, city, state, postal_code, latitude, longitude, size, "
        "weight_kg, window_start, window_end, signature_required, and optionally recipient_email and recipient_phone "
        "(a US number; the recipient hears when the route starts, when the driver is near and on delivery)."))


class AssignForm(forms.Form):
    driver = forms.TypedChoiceField(label=_("Driver"), coerce=int, required=False, empty_value=None)
    vehicle = forms.TypedChoiceField(label=_("Van"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, drivers=(), vehicles=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = driver_choice_labels(drivers)
        self.fields["driver"].choices = [("", "—")] + list(labels.items())
        self.fields["vehicle"].choices = [("", "—")] + [
            (v.pk, f"{v.plate or v.vin[-6:]} · {v.package_capacity}") for v in vehicles]


class AttemptForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why not delivered?"), choices=AttemptReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
