import re
from decimal import Decimal

from django import forms
from django.forms.renderers import TemplatesSetting

from core.errors import DomainError
from core.money import parse_amount

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class BootstrapFormRenderer(TemplatesSetting):
    """`{{ form }}` renders Bootstrap 5 markup everywhere (forms/form.html, forms/field.html)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def add_domain_error(form, exc) -> None:
    """Show a service's refusal on the form: on each field it names that the form has, else above the form.

    A field entry that is a bare code ("invalid", "not_found") rather than a sentence shows the error's detail."""
    placed, elsewhere = False, []
    for name, problems in (exc.fields or {}).items():
        messages = [readable(problem, exc.detail) for problem in problems]
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
        else:
            elsewhere += [m for m in messages if m not in elsewhere]
    if not placed:
        form.add_error(None, exc.detail)
    for message in elsewhere:
        if message != exc.detail or placed:
            form.add_error(None, message)


def readable(message, fallback: str) -> str:
    """A field message people read: a machine code such as "not_found" becomes the error's sentence."""
    text = str(message)
    return fallback if _CODE_RE.match(text) else text


class AmountField(forms.CharField):
    """Money as people type it ("1,250.00", "$1250"): parsed by `core.money.parse_amount`, the one parser."""

    def __init__(self, *, allow_zero=False, maximum=None, **kwargs):
        self.allow_zero, self.maximum = allow_zero, maximum
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1,250.00"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return f"{value:.2f}" if isinstance(value, Decimal) else value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, allow_zero=self.allow_zero, maximum=self.maximum)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail, code="amount") from None
