"""Publishing a plan: it becomes final, integrators hear `route.published`, partners and drivers an e-mail.

Every route needs a driver and a van first; an admin may override that only with a reason, and the
override, naming the routes still unassigned, is written to the plan's history."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, ValidationFailed
from core.events import event_record
from routes.models import Plan, PlanStatus
from routes.services.notify import plan_published_notify
from routes.services.planning import plan_move


def _unassigned_codes(plan: Plan) -> list[str]:
    routes = plan.routes.filter(Q(driver__isnull=True) | Q(vehicle__isnull=True)).select_related("plan__station")
    return [r.code for r in routes.order_by("sequence")]


def plan_publish(*, plan: Plan, by=None, allow_unassigned: bool = False, reason: str = "") -> Plan:
    with transaction.atomic():
        if plan.status == PlanStatus.PUBLISHED:
            return plan
        if not plan.routes.exists():
            raise Conflict(_("A plan without routes cannot be published."), code="plan_empty")
        if plan.routes.filter(partner__isnull=True).exists():
            raise Conflict(_("Every route needs a partner before publishing."), code="routes_not_dealt")
        missing = _unassigned_codes(plan)
        note = ""
        if missing and not allow_unassigned:
            raise Conflict(_("%(n)s of %(total)s routes have no driver and van yet (%(routes)s): assign them, or "
                             "publish anyway with a reason.")
                           % {"n": len(missing), "total": plan.routes.count(), "routes": ", ".join(missing)},
                           code="routes_unassigned", fields={"allow_unassigned": [_("Routes without a driver and "
                                                                                    "van: %s") % ", ".join(missing)]})
        if missing:
            if not reason.strip():
                raise ValidationFailed(_("Say why the plan is published with routes unassigned."),
                                       code="reason_required", fields={"reason": [_("A reason is required.")]})
            note = _("Published with %(n)s routes unassigned (%(routes)s): %(reason)s") % {
                "n": len(missing), "routes": ", ".join(missing), "reason": reason.strip()}
        plan = plan_move(plan, PlanStatus.PUBLISHED, by=by, note=note, changes={"published_at": timezone.now()})
        # Every partner with a route in the plan may read it (several partners share a station's day).
        partner_ids = set(plan.routes.values_list("partner_id", flat=True))
        event_record(type="route.published", subject=plan, payload={
            "plan_id": plan.pk, "station": plan.station.code, "service_date": plan.service_date.isoformat(),
            "routes": plan.routes.count()}, audience=Audience.partners(partner_ids))
        plan_published_notify(plan_id=plan.pk)
        # A first published route may complete a partner's onboarding checklist.
        transaction.on_commit(lambda: _partners_activate(partner_ids), robust=True)
    return plan


def _partners_activate(partner_ids) -> None:
    from onboarding.models import Partner
    from onboarding.services import partner_activate_if_ready

    for partner in Partner.objects.filter(pk__in=partner_ids, status=Partner.Status.ONBOARDING):
        partner_activate_if_ready(partner=partner)
