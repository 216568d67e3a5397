"""A database constraint that a concurrent write trips becomes the constraint's sentence, never its name.

Services check rules first (with a sentence on the field); the constraint is what still holds when two requests
race past that check. This turns the loser's IntegrityError into the same kind of answer."""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import Conflict


def constraint_conflict(exc: IntegrityError, model, *, fields: dict | None = None, code: str = "conflict") -> Conflict:
    """The Conflict for a violated constraint of `model`: its `violation_error_message`, on the field that
    `fields` maps its name to (above the form when unmapped). Matches the name in the driver's message, which
    both PostgreSQL and SQLite include for named constraints."""
    text = str(exc)
    for constraint in model._meta.constraints:
        if constraint.name in text:
            message = constraint.get_violation_error_message()
            field = (fields or {}).get(constraint.name)
            return Conflict(message, code=code, fields={field: [message]} if field else {})
    return Conflict(_("This was changed by someone else at the same time; check it and try again."), code=code)


@contextmanager
def constraint_messages(model, *, fields: dict | None = None, code: str = "conflict"):
    """Run a write in a savepoint; a violated constraint of `model` leaves as `constraint_conflict`."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise constraint_conflict(exc, model, fields=fields, code=code) from None
