"""E-mails about routes. Callers run these inside the transaction of the change: each e-mail is an outbox row
(core.mail) that commits with it and is sent after commit, so a mail outage neither undoes nor repeats a plan."""

from django.conf import settings
from django.utils.translation import gettext as _

from core.mail import mail_queue


def _send(subject: str, body: str, to: list[str]) -> None:
    mail_queue(to=sorted({e for e in to if e}), subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body=body)


def route_change_notify(*, change_id: int, email: str) -> None:
    from routes.models import RouteChange

    change = RouteChange.objects.select_related("route__plan__station").filter(pk=change_id).first()
    if change is None:
        return
    route = change.route
    _send(_("Your route %(code)s on %(day)s changed") % {"code": route.code, "day": route.service_date},
          _("Route %(code)s on %(day)s changed: %(detail)s\n\nOpen today's route on your phone to see it.")
          % {"code": route.code, "day": route.service_date, "detail": change.detail}, [email])


def plan_published_notify(*, plan_id: int) -> None:
    """Each partner hears how many routes it runs; each assigned driver hears about their route."""
    from onboarding.models import PartnerMembership
    from routes.models import Plan

    plan = Plan.objects.select_related("station").get(pk=plan_id)
    routes = list(plan.routes.select_related("driver").order_by("sequence"))
    by_partner: dict[int, list] = {}
    for route in routes:
        if route.partner_id:
            by_partner.setdefault(route.partner_id, []).append(route)
    members: dict[int, list[str]] = {}
    for pid, email in PartnerMembership.objects.filter(partner_id__in=list(by_partner)).values_list(
            "partner_id", "user__email"):
        members.setdefault(pid, []).append(email)
    for pid, mine in by_partner.items():
        codes = ", ".join(r.code for r in mine)
        _send(_("%(n)s routes from %(station)s on %(day)s") % {"n": len(mine), "station": plan.station.name,
                                                              "day": plan.service_date},
              _("Your routes for %(day)s are published: %(codes)s.\nAssign a driver and a van to each on the "
                "Dispatch page.") % {"day": plan.service_date, "codes": codes}, members.get(pid, []))
    for route in routes:
        if route.driver and route.driver.email:
            _send(_("Your route %(code)s on %(day)s") % {"code": route.code, "day": plan.service_date},
                  _("You drive route %(code)s on %(day)s: %(n)s stops, %(p)s packages, leaving at %(h)s.")
                  % {"code": route.code, "day": plan.service_date, "n": route.stop_count, "p": route.load,
                     "h": f"{route.start_s // 3600:02d}:{route.start_s % 3600 // 60:02d}"}, [route.driver.email])


def partners_dealt_notify(*, plan_id: int) -> None:
    """The nightly batch tells each partner how many routes it was dealt (before publishing)."""
    from django.db.models import Count

    from onboarding.models import PartnerMembership
    from routes.models import Plan

    plan = Plan.objects.select_related("station").get(pk=plan_id)
    counts = dict(plan.routes.exclude(partner=None).values_list("partner_id").annotate(n=Count("id")))
    members: dict[int, list[str]] = {}
    for pid, email in PartnerMembership.objects.filter(partner_id__in=list(counts)).values_list(
            "partner_id", "user__email"):
        members.setdefault(pid, []).append(email)
    for pid, n in counts.items():
        _send(_("%(n)s routes planned for you on %(day)s") % {"n": n, "day": plan.service_date},
              _("%(station)s planned %(n)s routes for you on %(day)s. Assign drivers and vans on the Dispatch "
                "page; the plan is final once the program publishes it.")
              % {"station": plan.station.name, "n": n, "day": plan.service_date}, members.get(pid, []))
