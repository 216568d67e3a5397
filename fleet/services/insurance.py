from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.integrity import constraint_messages
from core.money import parse_amount
from core.workflow import lock
from fleet.models import Acquisition, InsurancePolicy, Vehicle
from fleet.services.common import apply_fields, full_clean

# Commercial auto, cargo and umbrella limits for a delivery company run to a few million dollars; a limit above
# this ceiling is a typo (an extra zero), not a policy.
LIMIT_CEILING = Decimal("100000000")
EDITABLE = {"coverage", "carrier", "policy_number", "per_occurrence_limit", "aggregate_limit", "effective_on",
            "expires_on", "covers_all_vehicles"}


def _limit(value, *, field, optional=False):
    if optional and value in (None, ""):
        return None
    return parse_amount(value, field=field, maximum=LIMIT_CEILING)


def _vehicles_of(partner, vehicles):
    ids = {v.pk if isinstance(v, Vehicle) else int(v) for v in (vehicles or [])}
    found = list(Vehicle.objects.filter(partner=partner, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationFailed(_("Choose vans of your own fleet."), fields={"vehicles": ["not_found"]})
    return found


def _check(policy, vehicles):
    if policy.effective_on and policy.expires_on and policy.expires_on <= policy.effective_on:
        raise ValidationFailed(_("The policy must expire after it takes effect."),
                               fields={"expires_on": [_("Must be after the effective date.")]})
    if not policy.attaches_to_vehicles and (vehicles or policy.covers_all_vehicles):
        raise ValidationFailed(_("%(c)s covers the company, not particular vans.") % {
            "c": policy.get_coverage_display()}, fields={"vehicles": ["company_wide"]})
    if policy.aggregate_limit is not None and policy.aggregate_limit < policy.per_occurrence_limit:
        raise ValidationFailed(_("The aggregate limit cannot be below the per-occurrence limit."),
                               fields={"aggregate_limit": ["below_occurrence"]})


def _save(policy, **kwargs):
    fields = {"fleet_policy_unique_term": "policy_number", "fleet_policy_expires_after_effective": "expires_on"}
    with constraint_messages(InsurancePolicy, fields=fields, code="policy_exists"):
        policy.save(**kwargs)


def policy_create(*, partner, coverage: str, carrier: str, policy_number: str, per_occurrence_limit,
                  effective_on, expires_on, aggregate_limit=None, vehicles=(), covers_all_vehicles: bool = False,
                  acquired_via: str = Acquisition.DIRECT, source_reference: str = "", by=None) -> InsurancePolicy:
    """Record a policy (by the partner, or on fulfilment of a program insurance order)."""
    with transaction.atomic():
        policy = InsurancePolicy(
            partner=partner, coverage=coverage, carrier=(carrier or "").strip(),
            policy_number=(policy_number or "").strip(),
            per_occurrence_limit=_limit(per_occurrence_limit, field="per_occurrence_limit"),
            aggregate_limit=_limit(aggregate_limit, field="aggregate_limit", optional=True),
            effective_on=effective_on, expires_on=expires_on, covers_all_vehicles=covers_all_vehicles,
            acquired_via=acquired_via, source_reference=source_reference,
            created_by=by if by and by.is_authenticated else None)
        full_clean(policy, exclude=["partner", "created_by"])
        listed = _vehicles_of(partner, vehicles)
        _check(policy, listed)
        _save(policy)
        policy.vehicles.set(listed)
    return policy


def policy_update(*, policy, by=None, vehicles=None, **fields) -> InsurancePolicy:
    with transaction.atomic():
        row = lock(policy)
        for name in ("per_occurrence_limit", "aggregate_limit"):
            if name in fields:
                fields[name] = _limit(fields[name], field=name, optional=name == "aggregate_limit")
        changed = apply_fields(row, fields, EDITABLE)
        full_clean(row, exclude=["partner", "created_by"])
        listed = _vehicles_of(row.partner, vehicles) if vehicles is not None else list(row.vehicles.all())
        _check(row, listed)
        if changed:
            _save(row, update_fields=[*changed, "updated_at"])
        if vehicles is not None:
            row.vehicles.set(listed)
    return row


def policy_delete(*, policy, by=None) -> None:
    """For policies entered by mistake; an expired policy simply stays on file."""
    with transaction.atomic():
        row = lock(policy)
        row.delete()
