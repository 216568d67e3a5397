from django import forms
from django.utils.translation import gettext_lazy as _

from core.events import EVENT_TYPES


class WebhookSubscriptionForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("An https:// address on the public internet that accepts POSTs."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Event types"), widget=forms.CheckboxSelectMultiple,
        choices=[(name, f"{name} — {description}") for name, (description, _shape) in EVENT_TYPES.items()],
    )
