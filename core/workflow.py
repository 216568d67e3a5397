"""State machines: one declared table of allowed moves, and one way to make a move.

A stateful model has a `status` (TextChoices) and a `Workflow` listing its allowed transitions.
`transition()` is the single mechanism every app's services use: lock the row, check the move,
apply it, write the event row in the same transaction. Side effects (e-mail, webhooks) are the
caller's, through `transaction.on_commit`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition, ValidationFailed


@dataclass(frozen=True)
class Workflow:
    transitions: Mapping[str, Iterable[str]]
    # Moves that must carry a written reason (rejections, requests for information...).
    reason_required: frozenset = field(default_factory=frozenset)

    def allowed(self, source: str, target: str) -> bool:
        return target in self.transitions.get(source, ())

    def targets(self, source: str) -> list[str]:
        return list(self.transitions.get(source, ()))

    def check(self, source: str, target: str, *, note: str = "") -> None:
        if not self.allowed(source, target):
            raise InvalidTransition(
                _("Cannot move from “%(source)s” to “%(target)s”.") % {"source": source, "target": target},
                code="invalid_transition",
            )
        if target in self.reason_required and not note.strip():
            raise ValidationFailed(_("A reason is required for this decision."), code="reason_required",
                                   fields={"note": [_("A reason is required.")]})


class TransitionLog(models.Model):
    """Abstract event row: who moved what from where to where, when, and why.

    Concrete logs add a ForeignKey named after their subject (e.g. `application`)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    @classmethod
    def _status_labels(cls) -> dict[str, str]:
        """The subject's status labels, read from the choices of the model this log points at."""
        if "_labels" not in cls.__dict__:
            labels = {}
            for field in cls._meta.concrete_fields:
                if field.is_relation and field.name != "actor":
                    status = next((f for f in field.related_model._meta.concrete_fields if f.name == "status"), None)
                    if status is not None and status.choices:
                        labels = {str(value): str(label) for value, label in status.flatchoices}
                        break
            cls._labels = labels
        return cls._labels

    @property
    def from_label(self) -> str:
        """The status moved from, as people read it ("Partially approved", not `partially_approved`)."""
        return self._status_labels().get(self.from_status, self.from_status.replace("_", " ").capitalize())

    @property
    def to_label(self) -> str:
        return self._status_labels().get(self.to_status, self.to_status.replace("_", " ").capitalize())


def lock(instance):
    """Re-read a row under `SELECT ... FOR UPDATE` (must be inside a transaction)."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def transition(*, instance, to: str, workflow: Workflow, log_model, subject_field: str, actor=None, note: str = "",
               changes: Mapping | None = None):
    """Move `instance` to status `to` under a row lock and log it. Returns the locked, updated row.

    `changes` are extra field values applied in the same write (e.g. `decided_at`)."""
    with transaction.atomic():
        row = lock(instance)
        workflow.check(row.status, to, note=note)
        source = row.status
        row.status = to
        update_fields = ["status"]
        for name, value in (changes or {}).items():
            setattr(row, name, value)
            update_fields.append(name)
        if hasattr(row, "status_changed_at"):
            row.status_changed_at = timezone.now()
            update_fields.append("status_changed_at")
        if hasattr(row, "updated_at"):
            update_fields.append("updated_at")
        row.save(update_fields=update_fields)
        log_model.objects.create(**{subject_field: row}, actor=actor if actor and actor.is_authenticated else None,
                                 from_status=source, to_status=to, note=note)
    return row
