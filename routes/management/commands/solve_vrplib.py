"""`manage.py solve_vrplib PATH --seconds S [--out FILE] [--seed N] [--workers W]`: solve one benchmark instance
through the route planner's solver interface and print the plan as JSON (customers numbered as in
the .sol files: depot 0, customers 1..n; cost in the instance's units)."""

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from routes.instances import load
from routes.solver import solve_single


class Command(BaseCommand):
    help = "Solve a CVRP/VRPTW benchmark instance (VRPLIB, Solomon) and print the routes as JSON."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--seconds", type=float, default=None)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", default=None)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="Independent searches run at once, one per core; the best plan wins "
                                 "(default: every core).")

    def handle(self, *args, path, seconds, seed, out, workers, **options):
        try:
            instance = load(path)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        seconds = seconds if seconds is not None else settings.ROUTES_SOLVER_SECONDS
        solution = solve_single(instance.problem, seconds=seconds, seed=seed, workers=max(1, workers))
        result = {
            "instance": instance.name,
            "cost": instance.cost(solution.distance),
            "routes": [[i + 1 for i in route.stops] for route in solution.routes],
            "seconds": solution.seconds,
        }
        if solution.unassigned:
            result["unassigned"] = [{"customer": u.stop + 1, "reason": u.reason} for u in solution.unassigned]
        text = json.dumps(result)
        if out:
            with open(out, "w") as fh:
                fh.write(text + "\n")
        self.stdout.write(text)
