from django import template

register = template.Library()

_CHECKS = {"checkbox", "radio"}


@register.filter
def bs_widget(field):
    """Render a bound field's widget with Bootstrap classes (and the invalid state)."""
    widget = field.field.widget
    kind = field.widget_type
    if kind in _CHECKS or kind in {"checkboxselectmultiple", "radioselect"}:
        css = "form-check-input"
    elif kind in {"select", "selectmultiple", "nullbooleanselect"}:
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def is_check(field):
    return field.widget_type in _CHECKS


@register.filter
def is_multi_check(field):
    return field.widget_type in {"checkboxselectmultiple", "radioselect"}
