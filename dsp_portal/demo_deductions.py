"""Demo: the demo partner pays its approved van order off from its weekly statements (104 instalments from six
weeks ago), so its demo statements carry a deduction line. Runs before `performance.demo` computes them."""

from datetime import timedelta

from accounts.models import User
from core.errors import DomainError
from core.servicedays import service_week
from dsp_portal.deductions import AGREEABLE, order_line_deduction_agree
from onboarding.selectors import partner_for_user
from performance.models import DeductionPlan
from procurement.models import ItemKind, OrderLine

OWNER = "owner@demo.dspportal.example"


def seed(*, log):
    owner = User.objects.filter(email=OWNER).first()
    partner = partner_for_user(user=owner) if owner else None
    line = (OrderLine.objects.filter(order__partner=partner, kind=ItemKind.VEHICLE, order__status__in=AGREEABLE)
            .order_by("pk").first()) if partner else None
    if line is None or DeductionPlan.objects.filter(source=f"order_line:{line.pk}").exists():
        return []
    try:
        plan = order_line_deduction_agree(order_line=line, instalments=104,
                                          first_week=service_week()[0] - timedelta(days=42), by=owner)
    except DomainError as exc:
        log(f"deductions: not agreed ({exc.code})")
        return []
    log(f"deductions: {plan.description}: {plan.instalments} weekly instalments of {plan.instalment}")
    return []
