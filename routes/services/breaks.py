"""The break the hours rule keeps inside a long route.

The solver plans each route to end a break's length before the shift does; a route that then runs longer
than the rule's threshold gets its break after the last stop the driver leaves before the threshold, and
every later stop (and the return) moves back by the break. So the route shows its break and still ends
inside its shift."""

from dataclasses import dataclass

from fleet.services import hours_rule_for, rule_state


@dataclass(frozen=True)
class BreakRule:
    after_s: int
    length_s: int
    max_day_s: int

    def as_dict(self) -> dict:
        return {"after_s": self.after_s, "length_s": self.length_s}


def station_break_rule(station, partners=()) -> BreakRule | None:
    """The hours rule a station's routes are planned under: its state's rule (else the program default). A
    station with no state plans under the strictest of the rules the day's `partners` check their drivers by
    (their region's state, fleet.services.driver_rule): the earliest break, the longest, the shortest day. Planned
    under the program default, a route of 5 to 6 hours had no break, and a Washington partner's drivers (a break
    after 5 hours) could not be put on it."""
    states = {station.state} if station.state or not partners else {rule_state(p) for p in partners}
    rules = [r for r in (hours_rule_for(state=state) for state in sorted(states)) if r is not None]
    if not rules:
        return None
    return BreakRule(after_s=min(r.break_after_minutes for r in rules) * 60,
                     length_s=max(r.break_minutes for r in rules) * 60,
                     max_day_s=min(r.max_day_minutes for r in rules) * 60)


def reserved_s(station, rule: BreakRule | None) -> int:
    """How much of the shift the solver must leave free for a break (none when no route can need one)."""
    if rule is None or station.shift_end_s - station.shift_start_s <= rule.after_s:
        return 0
    return rule.length_s


def solver_window(station, rule: BreakRule | None) -> tuple[int, int]:
    """(start, latest return) the solver plans in: the station's shift less the break the route may need, and
    no longer than a day's work under the hours rule (the break then brings it back to at most the shift)."""
    start, end = station.shift_start_s, station.shift_end_s - reserved_s(station, rule)
    if rule is not None:
        end = min(end, start + rule.max_day_s)
    return start, end


@dataclass(frozen=True)
class Placed:
    arrivals: list[int]
    break_start_s: int | None
    break_s: int


def place_break(*, start: int, end: int, arrivals: list[int], services: list[int],
                rule: dict | None) -> Placed:
    """Where the break goes in one solved route (`rule`: BreakRule.as_dict() or None)."""
    if not rule or end - start <= rule["after_s"] or not arrivals:
        return Placed(list(arrivals), None, 0)
    limit = start + rule["after_s"]
    k = 0
    for i, (arrival, service) in enumerate(zip(arrivals, services, strict=True)):
        if arrival + service <= limit:
            k = i
    begin = arrivals[k] + services[k]
    moved = [a if i <= k else a + rule["length_s"] for i, a in enumerate(arrivals)]
    return Placed(moved, begin, rule["length_s"])
