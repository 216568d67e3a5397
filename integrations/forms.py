from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.permissions import webhook_scopes_allowed
from core.events import EVENT_TYPES
from integrations.audience import event_types_receivable


class WebhookSubscriptionForm(forms.Form):
    """Offers only the event types (and, for integrators, the scopes) its owner could ever receive."""

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("An https:// address on the public internet that accepts POSTs."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(label=_("Event types"), widget=forms.CheckboxSelectMultiple)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("An area's read scope lets this subscription receive that area's events program-wide."))

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(name, f"{name} — {EVENT_TYPES[name][0]}")
                                              for name in event_types_receivable(role=owner.role)]
        allowed = webhook_scopes_allowed(owner.role)
        if allowed:
            self.fields["scopes"].choices = [(s, s) for s in allowed]
        else:
            del self.fields["scopes"]
