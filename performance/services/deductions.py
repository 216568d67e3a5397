"""What the partner agreed to have taken from its statements, and what the program charges back.

A deduction plan spreads an amount (a van lease or purchase, an insurance premium bought through the program,
less its deposit) over weekly instalments the partner agreed to; `dsp_portal.deductions` makes one from a
procurement order line. A chargeback names the route (and package) it is for; its amount comes from the rate
card in force in that route's week."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.money import money
from core.servicedays import service_week
from performance.models import Chargeback, DeductionPlan


def deduction_agree(*, partner_id: int, kind: str, source: str, description: str, total: Decimal, instalments,
                    first_week: date, by=None) -> DeductionPlan:
    """The partner agrees to pay `total` in `instalments` weekly instalments from the week holding `first_week`."""
    if kind not in DeductionPlan.Kind.values:
        raise ValidationFailed(_("Only vans and insurance can be paid off from statements."), code="not_deductible")
    try:
        instalments = int(instalments)
    except (TypeError, ValueError):
        instalments = 0
    if not 1 <= instalments <= 260:
        raise ValidationFailed(_("Choose between 1 and 260 weekly instalments."), code="instalments_invalid",
                               fields={"instalments": [_("Between 1 and 260.")]})
    total = money(total)
    if total <= 0:
        raise ValidationFailed(_("Nothing is left to pay."), code="nothing_to_deduct")
    try:
        with transaction.atomic():
            return DeductionPlan.objects.create(
                partner_id=partner_id, kind=kind, source=source, description=description[:200], total=total,
                instalments=instalments, instalment=money(total / instalments),
                first_week=service_week(day=first_week)[0], agreed_by=by if by and by.is_authenticated else None)
    except IntegrityError as exc:
        raise Conflict(_("This is already being paid off from statements."), code="deduction_exists") from exc


def chargeback_record(*, route, kind: str, package=None, note: str = "", by=None) -> Chargeback:
    if kind not in Chargeback.Kind.values:
        raise ValidationFailed(_("Choose what is charged back."), code="kind_invalid", fields={"kind": [_("Unknown.")]})
    if route.partner_id is None:
        raise Conflict(_("This route was never dealt to a partner."), code="route_not_dealt")
    if kind == Chargeback.Kind.LOST_PACKAGE and (package is None or package.stop is None
                                                 or package.stop.route_id != route.pk):
        raise ValidationFailed(_("Choose a package of this route."), code="package_invalid",
                               fields={"package": [_("Not on this route.")]})
    try:
        with transaction.atomic():
            return Chargeback.objects.create(partner_id=route.partner_id, kind=kind, route=route,
                                             package=package if kind == Chargeback.Kind.LOST_PACKAGE else None,
                                             service_date=route.service_date, note=note.strip()[:300],
                                             recorded_by=by if by and by.is_authenticated else None)
    except IntegrityError as exc:
        raise Conflict(_("This is already charged back."), code="chargeback_exists") from exc
