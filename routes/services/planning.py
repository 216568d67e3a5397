"""`plan_build`: hub split, the vehicle-routing problem, the solve, and saving routes in bulk.

The plan moves draft/ready/failed -> optimizing -> ready (or failed, with the reason). A published
plan is final: building it again is refused. In production (a broker, not eager) a big station-day
is solved as a Celery chord of sectors whose callback saves the plan (`routes.plan_solution_save`).

Every build runs under a job (`core.jobs`, kind PLAN_JOB, one per plan at a time) whose progress the
page and the API read. People start one with `plan_build_start` (a task; the request answers at once);
`plan_build` plans in the caller (the task, the nightly run, tests). A plan left "optimizing" by a worker
that died (no live job) is failed with that reason and planned again.
"""

import logging
from collections import Counter, defaultdict
from datetime import date

from celery import signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from core.jobs import (
    job_active,
    job_continues,
    job_fail,
    job_finish,
    job_open,
    job_progress,
    job_run,
    job_start,
    job_still_running,
)
from core.models import Job
from core.taskqueue import task_named
from core.workflow import lock, transition
from onboarding.models import Partner
from routes.models import (
    PLAN_WORKFLOW,
    Package,
    PackageStatus,
    Plan,
    PlanEvent,
    PlanStatus,
    Route,
    RouteStop,
    Station,
    StopKind,
    Unassigned,
)
from routes.services.breaks import Placed, place_break, solver_window, station_break_rule
from routes.services.chords import solve_in_chord
from routes.services.engine import default_provider_spec, solver_limits
from routes.services.fleetday import fleet_for_day
from routes.services.hubsplit import hub_split
from routes.solver import NO_LIMIT, Point, Problem, Progress, Solution, Stop, VehicleType, solve
from routes.solver.decompose import needs_decomposition
from routes.solver.types import REASONS

logger = logging.getLogger(__name__)

SERVICE_FIRST, SERVICE_EXTRA = 120, 30  # seconds at a stop, and per extra package there
HUB_SERVICE, HUB_PER_PACKAGE = 300, 10
BATCH = 2000
PLAN_JOB = "routes.plan"


def plan_move(plan, to, *, by=None, note="", changes=None):
    return transition(instance=plan, to=to, workflow=PLAN_WORKFLOW, log_model=PlanEvent, subject_field="plan",
                      actor=by, note=note, changes=changes)


def plan_for_day(*, station: Station, service_date: date, by=None) -> Plan:
    plan, _created = Plan.objects.get_or_create(station=station, service_date=service_date,
                                                defaults={"created_by": by if by and by.is_authenticated else None})
    return plan


def plan_fail(*, plan: Plan, reason: str, by=None) -> Plan:
    return plan_move(plan, PlanStatus.FAILED, by=by, note=reason, changes={"failure_reason": reason[:2000]})


def _clock(t) -> int | None:
    return None if t is None else t.hour * 3600 + t.minute * 60


# -- the problem -----------------------------------------------------------------------------------

def _address_stops(rows) -> list[dict]:
    """Packages with one address key become one stop; a package whose window does not overlap the
    others' at that address gets a stop of its own."""
    groups: dict[str, list[list[dict]]] = defaultdict(list)
    for r in rows:
        r["early"] = _clock(r["window_start"]) or 0
        r["late"] = _clock(r["window_end"]) or NO_LIMIT
        for group in groups[r["address_key"]]:
            early, late = max(q["early"] for q in group), min(q["late"] for q in group)
            if max(early, r["early"]) < min(late, r["late"]):
                group.append(r)
                break
        else:
            groups[r["address_key"]].append([r])
    stops = []
    for key in sorted(groups):
        for group in groups[key]:
            first = group[0]
            late = min(q["late"] for q in group)
            stops.append({
                "kind": StopKind.ADDRESS, "hub": None, "packages": [q["pk"] for q in group],
                "lat": float(first["latitude"]), "lng": float(first["longitude"]),
                "address": ", ".join(p for p in [first["address_line1"], first["city"]] if p)[:300],
                "recipient": first["recipient_name"][:200], "early": max(q["early"] for q in group),
                "late": late, "service": SERVICE_FIRST + SERVICE_EXTRA * (len(group) - 1),
                "signature": any(q["signature_required"] for q in group)})
    return stops


def _hub_stops(rows) -> list[dict]:
    from hubs.models import Hub

    by_hub: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        by_hub[r["hub_id"]].append(r["pk"])
    hubs = Hub.objects.in_bulk(list(by_hub))
    return [{"kind": StopKind.HUB, "hub": hid, "packages": pks, "lat": float(hubs[hid].latitude),
             "lng": float(hubs[hid].longitude), "address": f"{hubs[hid].legal_name}, {hubs[hid].street}"[:300],
             "recipient": hubs[hid].legal_name[:200], "early": 0, "late": NO_LIMIT,
             "service": HUB_SERVICE + HUB_PER_PACKAGE * len(pks), "signature": False}
            for hid, pks in sorted(by_hub.items())]


def problem_build(*, station: Station, service_date: date) -> tuple[Problem, dict]:
    """The day's solver problem and the context needed to save its answer (JSON)."""
    rows = list(Package.objects.filter(station=station, service_date=service_date)
                .exclude(status__in=[PackageStatus.DELIVERED, PackageStatus.ATTEMPTED])
                .values("pk", "address_key", "latitude", "longitude", "address_line1", "city", "recipient_name",
                        "window_start", "window_end", "signature_required", "hub_id"))
    stops = _address_stops([r for r in rows if r["hub_id"] is None]) + _hub_stops([r for r in rows if r["hub_id"]])
    fleet = fleet_for_day(station=station, service_date=service_date)
    caps = Counter(c for day in fleet for c in day.capacities)
    brk = station_break_rule(station, Partner.objects.filter(pk__in=[d.partner_id for d in fleet])
                             .select_related("region"))
    start, end = solver_window(station, brk)
    vehicles = [VehicleType(count=n, capacity=cap, shift_start=start, shift_end=end, key=str(cap))
                for cap, n in sorted(caps.items(), reverse=True)]
    problem = Problem(
        depot=Point(float(station.longitude), float(station.latitude)),
        stops=[Stop(Point(s["lng"], s["lat"]), demand=len(s["packages"]), service=s["service"], early=s["early"],
                    late=s["late"], key=str(k)) for k, s in enumerate(stops)],
        vehicles=vehicles, provider=default_provider_spec(circuity=station.circuity, speed_kmh=station.speed_kmh),
        name=f"{station.code} {service_date}")
    context = {"stops": stops, "fleet": [{"partner": d.partner_id, "committed": d.committed,
                                          "capacities": d.capacities} for d in fleet],
               "break": brk.as_dict() if brk else None}
    return problem, context


# -- building --------------------------------------------------------------------------------------

def _use_chord(problem: Problem) -> bool:
    return (not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_RESULT_BACKEND is not None
            and needs_decomposition(problem, solver_limits()))


def plan_live_job(*, plan: Plan) -> Job | None:
    """The plan's queued or running build job whose worker is still heard from."""
    job = job_active(kind=PLAN_JOB, subject=plan)
    return job if job is not None and not job.stale else None


def plan_is_stuck(*, plan: Plan) -> bool:
    """Optimizing, but no live job is working on it (its worker died): it may be planned again."""
    return plan.status == PlanStatus.OPTIMIZING and plan_live_job(plan=plan) is None


def _busy(job: Job | None) -> Conflict:
    when = timezone.localtime(job.created_at).strftime("%H:%M") if job is not None else "?"
    return Conflict(_("This plan is already being optimized (started at %(when)s); wait for it to finish.")
                    % {"when": when}, code="plan_busy")


def _open_plan(*, station: Station, service_date: date, by=None) -> Plan:
    plan = plan_for_day(station=station, service_date=service_date, by=by)
    if plan.status == PlanStatus.PUBLISHED:
        raise Conflict(_("This plan is published; its routes are final."), code="plan_published")
    return plan


def plan_build_start(*, station: Station, service_date: date, by=None) -> Job:
    """Start planning a station-day as a task and return its job at once (the page and the API poll it).
    A second start while one runs is refused with a sentence (code `plan_busy`)."""
    plan = _open_plan(station=station, service_date=service_date, by=by)
    try:
        return job_start(kind=PLAN_JOB, subject=plan, task=task_named("routes.plan_build_job"), by=by)
    except Conflict as exc:
        if exc.code != "job_running":
            raise
        raise _busy(plan_live_job(plan=plan)) from exc


def plan_build(*, station: Station, service_date: date, by=None, seconds: float | None = None,
               seed: int = 0, job: Job | None = None) -> Plan:
    """Plan (or re-plan) a station-day in the caller, under `job` (the task's) or a job of its own.
    Returns the plan: ready, failed, or optimizing while a chord runs."""
    plan = _open_plan(station=station, service_date=service_date, by=by)
    if job is not None:
        return _build(plan, job=job, by=by, seconds=seconds, seed=seed)
    try:
        own = job_open(kind=PLAN_JOB, subject=plan, by=by)
    except Conflict as exc:
        if exc.code != "job_running":
            raise
        raise _busy(plan_live_job(plan=plan)) from exc
    built = job_run(job_id=own.pk, work=lambda j: _build(plan, job=j, by=by, seconds=seconds, seed=seed))
    return built if built is not None else Plan.objects.get(pk=plan.pk)


def plan_build_for_job(*, job: Job) -> dict:
    """The task's side of `plan_build_start`: plan the job's plan under the job."""
    plan = Plan.objects.select_related("station").get(pk=job.subject_id)
    plan = plan_build(station=plan.station, service_date=plan.service_date, by=job.started_by, job=job)
    return {"plan": plan.pk, "status": plan.status, "routes": plan.routes.count()}


def plan_solution_save_for_job(*, plan_id: int, job_id: int | None, solution: Solution) -> None:
    """The chord's end: save its solution into the plan and end the plan's job (failed, if saving broke)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    job = Job.objects.filter(pk=job_id).first() if job_id is not None else None
    if plan is None or not plan.context:
        return
    if job is not None:
        job_progress(job, phase="saving", force=True, best_m=solution.distance, left_s=0)
    try:
        plan = plan_solution_save(plan=plan, context=plan.context, solution=solution, job=job)
    except Exception as exc:
        if job is not None:
            job_fail(job, error=_("Saving the plan failed (%(error)s).") % {"error": exc.__class__.__name__})
        raise
    if job is not None:
        job_finish(job, result={"plan": plan.pk, "status": plan.status, "routes": plan.routes.count()})


def _reporter(job: Job) -> Progress:
    def report(phase=None, **info):
        job_progress(job, phase=phase, **{k: v for k, v in info.items() if v is not None})

    return report


def _build(plan: Plan, *, job: Job, by=None, seconds: float | None = None, seed: int = 0) -> Plan:
    seconds = settings.ROUTES_SOLVER_SECONDS if seconds is None else seconds
    plan = Plan.objects.get(pk=plan.pk)
    if plan.status == PlanStatus.PUBLISHED:
        raise Conflict(_("This plan is published; its routes are final."), code="plan_published")
    if plan.status == PlanStatus.OPTIMIZING:  # its job is gone (we hold the only live one): the worker died
        plan = plan_fail(plan=plan, reason=_("The planning worker stopped before it finished; planning again."),
                         by=by)
    plan = plan_move(plan, PlanStatus.OPTIMIZING, by=by, changes={"failure_reason": ""})
    report = _reporter(job)
    try:
        report("hub_split", seconds=seconds)
        hub_split(station=plan.station, service_date=plan.service_date)
        report("building")
        problem, context = problem_build(station=plan.station, service_date=plan.service_date)
        if not problem.stops:
            raise DomainError(_("No packages to plan for this day."), code="no_packages")
        if not problem.vehicles:
            raise DomainError(_("No partner committed routes with compliant vans for this day."), code="no_fleet")
        report(stops=len(problem.stops))
        if _use_chord(problem):
            Plan.objects.filter(pk=plan.pk).update(context=context)
            job_continues(job)
            solve_in_chord(problem, seconds=seconds, seed=seed, job_id=job.pk,
                           then=signature("routes.plan_solution_save", args=(plan.pk, job.pk)))
            return plan
        solution = solve(problem, seconds=seconds, seed=seed, processes=settings.ROUTES_SOLVER_PROCESSES,
                         progress=report, limits=solver_limits())
        report("saving", best_m=solution.distance, left_s=0)
        return plan_solution_save(plan=plan, context=context, solution=solution, by=by, job=job)
    except DomainError as exc:
        return plan_fail(plan=plan, reason=exc.detail, by=by)
    except Exception as exc:  # the solver or a provider broke: the plan says so instead of hanging
        logger.exception("planning %s failed", plan)
        return plan_fail(plan=plan, reason=_("Planning failed: %(error)s") % {"error": exc.__class__.__name__},
                         by=by)


# -- saving ----------------------------------------------------------------------------------------

def _placed(solved, stops: list[dict], rule: dict | None) -> Placed:
    return place_break(start=solved.start, end=solved.end, arrivals=solved.arrivals or [0] * len(solved.stops),
                       services=[stops[i]["service"] for i in solved.stops], rule=rule)


def _late_count(solved, stops: list[dict], placed: Placed) -> int:
    if not placed.break_s:
        return solved.late_stops
    return sum(1 for i, a in zip(solved.stops, placed.arrivals, strict=True) if a > stops[i]["late"])


def _route_rows(plan: Plan, solution: Solution, problem_vehicles: list[int], stops: list[dict],
                rule: dict | None) -> list[Route]:
    rows = []
    for n, r in enumerate(solution.routes, start=1):
        placed = _placed(r, stops, rule)
        rows.append(Route(plan=plan, service_date=plan.service_date, sequence=n,
                          capacity=problem_vehicles[r.vehicle_type], distance_m=r.distance,
                          duration_s=r.duration + placed.break_s, load=r.load, start_s=r.start,
                          end_s=r.end + placed.break_s, stop_count=len(r.stops),
                          late_stops=_late_count(r, stops, placed), break_s=placed.break_s,
                          break_start_s=placed.break_start_s))
    return rows


def _stop_rows(route: Route, solved, stops: list[dict], rule: dict | None = None) -> list[RouteStop]:
    out = []
    for seq, (index, arrival) in enumerate(zip(solved.stops, _placed(solved, stops, rule).arrivals,
                                               strict=True), start=1):
        s = stops[index]
        late = s["late"] if s["late"] < NO_LIMIT else None
        out.append(RouteStop(route=route, sequence=seq, kind=s["kind"], hub_id=s["hub"], latitude=round(s["lat"], 6),
                             longitude=round(s["lng"], 6), address=s["address"], recipient=s["recipient"],
                             package_count=len(s["packages"]), window_start_s=s["early"] or None, window_end_s=late,
                             service_s=s["service"], planned_arrival_s=arrival,
                             late=late is not None and arrival > late, signature_required=s["signature"]))
    return out


def plan_solution_save(*, plan: Plan, context: dict, solution: Solution, by=None, job: Job | None = None) -> Plan:
    """Replace the plan's routes with the solution's, in bulk (a fixed number of queries per 2,000
    rows), then deal the routes to partners. A stale answer (the plan moved on, or its job was replaced
    after its worker went quiet) is dropped."""
    from routes.services.assignment import routes_deal

    stops = context["stops"]
    caps = sorted({c for f in context["fleet"] for c in f["capacities"]}, reverse=True)
    with transaction.atomic():
        plan = lock(plan)
        if plan.status != PlanStatus.OPTIMIZING or not job_still_running(job.pk if job else None):
            return plan
        plan.routes.all().delete()
        plan.unassigned.all().delete()
        rule = context.get("break")
        routes = Route.objects.bulk_create(_route_rows(plan, solution, caps, stops, rule), batch_size=BATCH)
        route_stops = [row for route, solved in zip(routes, solution.routes, strict=True)
                       for row in _stop_rows(route, solved, stops, rule)]
        RouteStop.objects.bulk_create(route_stops, batch_size=BATCH)
        moved = []
        it = iter(route_stops)
        for solved in solution.routes:
            for index in solved.stops:
                stop = next(it)
                status = PackageStatus.HUB if stops[index]["kind"] == StopKind.HUB else PackageStatus.ROUTED
                moved += [Package(pk=pk, stop_id=stop.pk, status=status) for pk in stops[index]["packages"]]
        Package.objects.bulk_update(moved, ["stop", "status"], batch_size=BATCH)
        left = [(pk, u) for u in solution.unassigned for pk in stops[u.stop]["packages"]]
        Unassigned.objects.bulk_create([Unassigned(plan=plan, package_id=pk, reason=u.reason,
                                                   detail=(u.detail or REASONS.get(u.reason, ""))[:300])
                                        for pk, u in left], batch_size=BATCH)
        Package.objects.filter(pk__in=[pk for pk, _u in left]).update(stop=None, status=PackageStatus.UNASSIGNED)
        plan = plan_move(plan, PlanStatus.READY, by=by, note=_("%(r)s routes, %(u)s packages unassigned")
                     % {"r": len(routes), "u": len(left)},
                     changes={"distance_m": solution.distance, "duration_s": solution.duration,
                              "solver_seconds": solution.seconds, "sectors": solution.sectors, "context": {}})
        routes_deal(plan=plan, fleet=context["fleet"])
    return plan
