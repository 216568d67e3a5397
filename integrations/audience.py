"""Who receives an event: a subscription gets it only when its owner could read the object through the API.

- program admins: everything;
- partner members, hub owners, applicants: events whose audience names their partner, their hub, or
  them, in the areas their role works in; membership is checked now, at fan-out, not when they subscribed;
- integrators: program-wide events of an area, only when the subscription carries that area's read scope;
- anyone else (drivers, inactive users): nothing.
"""

from accounts.models import Role, User
from accounts.permissions import role_areas, role_reads_audience_kind, webhook_scopes_allowed
from core.audience import APPLICANT, HUB, KINDS, PARTNER, Audience, tenancy_members
from core.events import EVENT_AUDIENCES, EVENT_TYPES


def area_scope(area: str | None) -> str | None:
    return f"{area}:read" if area else None


def _tenant_reads_type(role: str, event_type: str) -> bool:
    spec = EVENT_AUDIENCES[event_type]
    if spec.area is not None and spec.area not in role_areas(role):
        return False
    return any(role_reads_audience_kind(role, kind) for kind in spec.kinds)


def event_types_receivable(*, role: str, scopes=None) -> list[str]:
    """The event types a subscription of this role could ever receive (integrators: with these `scopes`,
    or with every scope they may hold when `scopes` is None). In catalogue order."""
    if role == Role.PROGRAM_ADMIN:
        return list(EVENT_TYPES)
    if role == Role.INTEGRATOR:
        held = set(webhook_scopes_allowed(role) if scopes is None else scopes) & set(webhook_scopes_allowed(role))
        return [t for t in EVENT_TYPES if area_scope(EVENT_AUDIENCES[t].area) in held]
    return [t for t in EVENT_TYPES if _tenant_reads_type(role, t)]


def _tenants(audience: Audience, owners: list[User]) -> dict[str, set[int]]:
    """kind -> ids of the given owners who belong to the audience's object of that kind (a query per kind)."""
    def candidates(kind):
        return {o.pk for o in owners if role_reads_audience_kind(o.role, kind)}

    members = {kind: set() for kind in KINDS}
    members[PARTNER] = tenancy_members(PARTNER, user_ids=candidates(PARTNER), object_ids=set(audience.partner_ids))
    if audience.hub_id is not None:
        members[HUB] = tenancy_members(HUB, user_ids=candidates(HUB), object_ids={audience.hub_id})
    if audience.applicant_id is not None and audience.applicant_id in candidates(APPLICANT):
        members[APPLICANT] = {audience.applicant_id}
    return members


def subscriptions_reading(*, event_type: str, audience: Audience, subscriptions: list) -> list:
    """Those of `subscriptions` (with `owner` loaded) whose owner may read an event of this type and audience.
    At most one query per audience kind, whatever the number of subscriptions."""
    spec = EVENT_AUDIENCES[event_type]
    live = [s for s in subscriptions if s.owner.is_active]
    tenant_owners = [s.owner for s in live if s.owner.role not in (Role.PROGRAM_ADMIN, Role.INTEGRATOR)
                     and _tenant_reads_type(s.owner.role, event_type)]
    tenants = _tenants(audience, tenant_owners)
    scope = area_scope(spec.area)
    chosen = []
    for sub in live:
        role = sub.owner.role
        if role == Role.PROGRAM_ADMIN:
            chosen.append(sub)
        elif role == Role.INTEGRATOR:
            if scope is not None and scope in sub.scopes and scope in webhook_scopes_allowed(role):
                chosen.append(sub)
        elif _tenant_reads_type(role, event_type) and any(
                sub.owner_id in tenants[kind] for kind in audience.kinds if role_reads_audience_kind(role, kind)):
            chosen.append(sub)
    return chosen
