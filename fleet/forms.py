from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from fleet.models import Driver, InsurancePolicy, Vehicle
from fleet.services.vehicles import MAX_ODOMETER_MILES


class DateInput(forms.DateInput):
    input_type = "date"


class ServiceCheckedForm(forms.ModelForm):
    """The form checks formats (its fields carry the model's validators); the service validates the row, its
    uniqueness and cross-field rules, and names the field concerned. The model form's own instance validation would
    put an expression constraint's message (the VIN's, say) above the form instead, so it is left to the service."""

    def _post_clean(self):
        pass


class VehicleForm(ServiceCheckedForm):
    odometer_miles = forms.IntegerField(label=_("odometer (miles)"), min_value=0, max_value=MAX_ODOMETER_MILES,
                                        required=False)
    # Bounded by the service (one sentence for page and API), not by the column's validators.
    year = forms.IntegerField(label=_("model year"))
    package_capacity = forms.IntegerField(label=_("package capacity"),
                                          help_text=_("How many packages the van carries on a route."))

    class Meta:
        model = Vehicle
        fields = ["vin", "plate", "plate_state", "make", "model", "year", "package_capacity", "ownership"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["odometer_miles"]


class DriverForm(ServiceCheckedForm):
    class Meta:
        model = Driver
        fields = ["first_name", "last_name", "email", "phone", "licence_number", "licence_state", "licence_class",
                  "licence_expires_on", "background_check", "driving_record_check"]
        widgets = {"licence_expires_on": DateInput()}


class PolicyForm(ServiceCheckedForm):
    # Typed as people write money ("1,000,000", "$1,000,000.00"); the service bounds the value.
    per_occurrence_limit = AmountField(label=_("per-occurrence limit (USD)"))
    aggregate_limit = AmountField(label=_("aggregate limit (USD)"), required=False)
    class Meta:
        model = InsurancePolicy
        fields = ["coverage", "carrier", "policy_number", "per_occurrence_limit", "aggregate_limit", "effective_on",
                  "expires_on", "covers_all_vehicles", "vehicles"]
        widgets = {"effective_on": DateInput(), "expires_on": DateInput(),
                   "vehicles": forms.CheckboxSelectMultiple()}

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicles"].queryset = Vehicle.objects.filter(partner=partner).exclude(
            status=Vehicle.Status.RETIRED).order_by("plate")
        self.fields["vehicles"].help_text = _("Auto liability and cargo only; leave empty for company-wide cover.")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("new status"))
    note = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = targets


class OdometerForm(forms.Form):
    miles = forms.IntegerField(label=_("miles"), min_value=0, max_value=MAX_ODOMETER_MILES)
    read_on = forms.DateField(label=_("read on"), required=False, widget=DateInput())


class DriverImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: first_name, last_name, email, phone, "
                                                            "licence_number, licence_state, licence_class, "
                                                            "licence_expires_on (YYYY-MM-DD)."))
