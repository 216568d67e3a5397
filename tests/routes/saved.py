"""Rebuild a solver problem and solution from a SAVED plan, for tests/routes/evaluator.py."""

from routes.solver import NO_LIMIT, Point, Problem, Route, Solution, Stop, VehicleType


def saved_problem_and_solution(plan):
    station = plan.station
    stops, routes, vehicles = [], [], []
    for k, route in enumerate(plan.routes.order_by("sequence").prefetch_related("stops")):
        capacity = route.vehicle.package_capacity if route.vehicle_id else route.capacity
        vehicles.append(VehicleType(count=1, capacity=capacity, shift_start=station.shift_start_s,
                                    shift_end=station.shift_end_s))
        indices = []
        for s in route.stops.order_by("sequence"):
            indices.append(len(stops))
            stops.append(Stop(Point(float(s.longitude), float(s.latitude)), demand=s.package_count,
                              service=s.service_s, early=s.window_start_s or 0,
                              late=s.window_end_s if s.window_end_s is not None else NO_LIMIT))
        routes.append(Route(vehicle_type=k, stops=indices))
    problem = Problem(depot=Point(float(station.longitude), float(station.latitude)), stops=stops, vehicles=vehicles,
                      provider={"kind": "haversine", "circuity": station.circuity, "speed_kmh": station.speed_kmh})
    return problem, Solution(routes=routes, unassigned=[])
