from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import DomainError
from hubs.models import BusinessKind, DeliveryMeans
from hubs.services.enrollment import DAY_LABELS, NO_OPEN_DAY, WEEKDAYS, hours_of_day_clean

TIME_ZONES = [("America/New_York", "Eastern"), ("America/Chicago", "Central"), ("America/Denver", "Mountain"),
              ("America/Phoenix", "Arizona"), ("America/Los_Angeles", "Pacific"), ("America/Anchorage", "Alaska"),
              ("Pacific/Honolulu", "Hawaii")]


class EnrollmentForm(forms.Form):
    legal_name = forms.CharField(label=_("Business legal name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of business"), choices=BusinessKind.choices)
    street = forms.CharField(label=_("Street address"), max_length=200)
    city = forms.CharField(max_length=100)
    state = forms.CharField(label=_("State (2 letters)"), max_length=2, min_length=2)
    postal_code = forms.CharField(label=_("ZIP code"), max_length=10)
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                  help_text=_("Decimal degrees, e.g. 47.6097 (from your map app)."))
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                   help_text=_("Decimal degrees, e.g. -122.3422."))
    time_zone = forms.ChoiceField(choices=[("", _("The state's time zone")), *TIME_ZONES], required=False,
                                  help_text=_("Choose one where the state has several."))
    storage_size = forms.IntegerField(label=_("Secure storage: packages it can hold"), min_value=1)
    storage_attested = forms.BooleanField(label=_("Parcels are kept in a locked, secure storage area"))
    delivery_means = forms.MultipleChoiceField(label=_("How you deliver"), choices=DeliveryMeans.choices,
                                               widget=forms.CheckboxSelectMultiple)
    staff_count = forms.IntegerField(label=_("Staff count"), min_value=1, initial=1)
    terms_accepted = forms.BooleanField(label=_("I agree to the hub program terms"))
    join_waitlist = forms.BooleanField(required=False)

    def __init__(self, *args, signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=DAY_LABELS[day], required=False, max_length=40,
                widget=forms.TextInput(attrs={"placeholder": "09:00-18:00"}))
        if not signed_in:
            self.fields["full_name"] = forms.CharField(label=_("Your name"), max_length=150)
            self.fields["email"] = forms.EmailField(label=_("E-mail (your login)"))
            self.fields["password1"] = forms.CharField(
                label=_("Password"), widget=forms.PasswordInput(render_value=True))
            self.fields["password2"] = forms.CharField(
                label=_("Password again"), widget=forms.PasswordInput(render_value=True))

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail exists: sign in first, then enroll."))
        return email

    def clean(self):
        data = super().clean()
        self._clean_hours(data)
        if "password1" in self.fields and data.get("password1"):
            if data.get("password1") != data.get("password2"):
                self.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    validate_password(data["password1"], User(email=data.get("email", "")))
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    def _clean_hours(self, data):
        """Each day's hours on that day's field, by the enrollment service's own rule."""
        for day in WEEKDAYS:
            try:
                data[f"hours_{day}"] = hours_of_day_clean(day, data.get(f"hours_{day}", ""))
            except DomainError as exc:
                self.add_error(f"hours_{day}", exc.detail)
        if not any(data.get(f"hours_{day}") for day in WEEKDAYS) and not self.has_error("hours_mon"):
            self.add_error("hours_mon", str(NO_OPEN_DAY))

    def hub_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in ["legal_name", "kind", "street", "city", "state", "postal_code",
                                                 "latitude", "longitude", "time_zone", "storage_size",
                                                 "storage_attested", "delivery_means", "staff_count",
                                                 "terms_accepted"]}
        data["opening_hours"] = {day: self.cleaned_data.get(f"hours_{day}", "") for day in WEEKDAYS}
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approved", _("Approve")), ("rejected", _("Reject")),
                                          ("waitlisted", _("Waitlist")), ("active", _("Activate")),
                                          ("paused", _("Pause")), ("offboarded", _("Offboard"))])
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    status = forms.ChoiceField(required=False, choices=[("", _("Any status"))])
    state = forms.CharField(required=False, max_length=2)
    kind = forms.ChoiceField(required=False, choices=[("", _("Any kind")), *BusinessKind.choices])

    def __init__(self, *args, **kwargs):
        from hubs.models import HubStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *HubStatus.choices]
