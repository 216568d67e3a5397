"""Roster forms: the dispatcher's shift (a start time from the station's waves) and the driver's requests."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fleet.selectors import driver_choice_labels


class ShiftForm(forms.Form):
    driver = forms.TypedChoiceField(label=_("Driver"), coerce=int)
    day = forms.TypedChoiceField(label=_("Day"), coerce=str)
    wave = forms.ChoiceField(label=_("Wave (start)"))
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=60, max_value=16 * 60)
    break_minutes = forms.IntegerField(label=_("Break (minutes)"), min_value=0, max_value=120, required=False,
                                       help_text=_("Empty: what the hours rule asks for."))

    def __init__(self, *args, drivers=(), days=(), waves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].choices = list(driver_choice_labels(drivers).items())
        self.fields["day"].choices = [(d.isoformat(), d.strftime("%a %b %-d")) for d in days]
        self.fields["wave"].choices = [(w.strftime("%H:%M"), w.strftime("%H:%M")) for w in waves]


class TimeOffForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class SwapForm(forms.Form):
    to_driver = forms.TypedChoiceField(label=_("Colleague"), coerce=int)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_driver"].choices = list(driver_choice_labels(colleagues).items())


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    available = forms.TypedChoiceField(label=_("Available"), coerce=lambda v: v == "yes",
                                       choices=[("no", _("Not available")), ("yes", _("Available"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
