from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import ValidationFailed


def full_clean(instance, *, exclude=None) -> None:
    """Model validation as a domain error (field messages in `fields`)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()), [_("Invalid input.")])[0]
        raise ValidationFailed(first, fields=fields) from None


def apply_fields(instance, fields: dict, allowed) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationFailed(_("“%(f)s” cannot be changed here.") % {"f": name}, fields={name: ["read_only"]})
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
