"""Publishing a plan: it becomes final, integrators hear `route.published`, partners and drivers an e-mail."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict
from core.events import event_record
from routes.models import Plan, PlanStatus
from routes.services.notify import plan_published_notify
from routes.services.planning import _move


def plan_publish(*, plan: Plan, by=None) -> Plan:
    with transaction.atomic():
        if plan.status == PlanStatus.PUBLISHED:
            return plan
        if not plan.routes.exists():
            raise Conflict(_("A plan without routes cannot be published."), code="plan_empty")
        if plan.routes.filter(partner__isnull=True).exists():
            raise Conflict(_("Every route needs a partner before publishing."), code="routes_not_dealt")
        plan = _move(plan, PlanStatus.PUBLISHED, by=by, changes={"published_at": timezone.now()})
        # Every partner with a route in the plan may read it (several partners share a station's day).
        partner_ids = set(plan.routes.values_list("partner_id", flat=True))
        event_record(type="route.published", subject=plan, payload={
            "plan_id": plan.pk, "station": plan.station.code, "service_date": plan.service_date.isoformat(),
            "routes": plan.routes.count()}, audience=Audience.partners(partner_ids))
        transaction.on_commit(lambda: plan_published_notify(plan_id=plan.pk))
    return plan
