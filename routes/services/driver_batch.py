"""The driver's phone outbox: a batch of taps (core.offline), each with a client id, each applied once.

Item kinds (every item also has `client_id` and `occurred_at`, the phone's time):
  start     {route}                                     route_start
  complete  {route}                                     route_complete
  scan      {route, code, scan: load|delivery|return, stop?}
  delivered {stop, photo?, signature?, pin?, age_checked?, scans?: [codes], note?}   photo/signature: data: URLs
  attempted {stop, reason, photo?, note?}
  undo      {stop, undoes: the client id of the outcome to undo}
  contact   {stop, channel: call|text}
A driver reaches only their own published routes: another's id is rejected as not found.
Runs of delivered/attempted items without files or scans (most of a day's taps) are applied together
(core.offline.BatchHandler, routes.services.outcomes.stop_outcomes_record), their recipients told what they would
hear of the taps one by one; the others one by one.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import NotFound, ValidationFailed
from core.offline import BatchHandler, data_url_file, offline_batch_apply, offline_occurred_at
from routes.models import PlanStatus, Route, RouteStop, ScanKind
from routes.services.driving import package_scan, route_complete, route_start, scan_message, stop_contact_record
from routes.services.outcomes import OutcomeEntry, stop_outcome_record, stop_outcome_undo, stop_outcomes_record


def _route(user, route_id) -> Route:
    route = (Route.objects.select_related("plan__station").filter(
        pk=route_id, driver__user=user, plan__status=PlanStatus.PUBLISHED).first()
        if str(route_id).isdigit() else None)
    if route is None:
        raise NotFound(_("No such route on your day."))
    return route


def _stop(user, stop_id) -> RouteStop:
    stop = (RouteStop.objects.select_related("route__plan").filter(
        pk=stop_id, route__driver__user=user, route__plan__status=PlanStatus.PUBLISHED).first()
        if str(stop_id).isdigit() else None)
    if stop is None:
        raise NotFound(_("No such stop on your route."))
    return stop


def _plain_outcome(item) -> bool:
    """A delivered/attempted item that carries no file and no scans: it may join a run applied together."""
    return not (item.get("photo") or item.get("signature") or item.get("scans"))


def _outcomes_batch(user) -> BatchHandler:
    def apply(run):
        entries = []
        for client_id, item in run:
            stop_id = item.get("stop")
            entries.append(OutcomeEntry(
                stop_id=int(str(stop_id)) if str(stop_id).isdigit() else None, outcome=str(item.get("kind")),
                client_id=client_id, reason=_text(item, "reason", 20) if item.get("kind") == "attempted" else "",
                note=_text(item, "note"), pin=_text(item, "pin", 8) if item.get("kind") == "delivered" else "",
                age_checked=item.get("kind") == "delivered" and item.get("age_checked") is True,
                occurred_at=_when(item)))
        answers = stop_outcomes_record(driver=user, entries=entries, by=user,
                                       not_found=NotFound(_("No such stop on your route.")))
        return [a if isinstance(a, Exception) else {"stop": a.pk, "status": a.status} for a in answers]

    return BatchHandler(kinds=frozenset({"delivered", "attempted"}), accepts=_plain_outcome, apply=apply)


def _when(item):
    value = item.get("occurred_at")
    return parse_datetime(str(value)) if value else None


def _text(item, name, limit=300):
    value = item.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def driver_batch_apply(*, user, items) -> list:
    def start(item):
        route = route_start(route=_route(user, item.get("route")), by=user, occurred_at=_when(item))
        return {"route": route.pk, "status": route.status}

    def complete(item):
        route = route_complete(route=_route(user, item.get("route")), by=user, occurred_at=_when(item))
        return {"route": route.pk, "status": route.status}

    def scan(item):
        route = _route(user, item.get("route"))
        stop = _stop(user, item["stop"]) if item.get("stop") else None
        if stop is not None and stop.route_id != route.pk:
            raise NotFound(_("No such stop on your route."))
        row = package_scan(route=route, code=_text(item, "code", 64), kind=_text(item, "scan") or ScanKind.LOAD,
                           stop=stop, by=user, occurred_at=_when(item), client_id=item.get("client_id"))
        return {"scan_result": row.result, "message": scan_message(row.result, row.code),
                "tracking_id": row.code}

    def delivered(item):
        stop = _stop(user, item.get("stop"))
        codes = item.get("scans") or []
        if not isinstance(codes, list):
            raise ValidationFailed(_("Scans must be a list of tracking ids."), code="bad_scans")
        for code in codes[:200]:
            package_scan(route=stop.route, code=str(code), kind=ScanKind.DELIVERY, stop=stop, by=user,
                         occurred_at=_when(item), client_id=item.get("client_id"))
        row = stop_outcome_record(
            stop=stop, outcome="delivered", note=_text(item, "note"), client_id=item.get("client_id"), by=user,
            photo=data_url_file(item.get("photo"), field="photo", name="photo.jpg"),
            signature=data_url_file(item.get("signature"), field="signature", name="signature.png"),
            pin=_text(item, "pin", 8), age_checked=item.get("age_checked") is True, occurred_at=_when(item))
        return {"stop": row.pk, "status": row.status}

    def attempted(item):
        stop = _stop(user, item.get("stop"))
        row = stop_outcome_record(stop=stop, outcome="attempted", reason=_text(item, "reason", 20),
                                  note=_text(item, "note"), client_id=item.get("client_id"), by=user,
                                  photo=data_url_file(item.get("photo"), field="photo", name="photo.jpg"),
                                  occurred_at=_when(item))
        return {"stop": row.pk, "status": row.status}

    def undo(item):
        stop = _stop(user, item.get("stop"))
        row = stop_outcome_undo(stop=stop, undone_client_id=item.get("undoes"), occurred_at=_when(item),
                                outcome_occurred_at=offline_occurred_at(actor=user, client_id=item.get("undoes")),
                                by=user)
        return {"stop": row.pk, "status": row.status}

    def contact(item):
        stop = _stop(user, item.get("stop"))
        row = stop_contact_record(stop=stop, channel=_text(item, "channel", 8), by=user, occurred_at=_when(item),
                                  client_id=item.get("client_id"))
        return {"stop": stop.pk, "contact": row.pk}

    handlers = {"start": start, "complete": complete, "scan": scan, "delivered": delivered, "attempted": attempted,
                "undo": undo, "contact": contact}
    return offline_batch_apply(actor=user, items=items, handlers=handlers, batch=_outcomes_batch(user))
