"""A plan's routes drawn as SVG on the server: no tile service, no JavaScript.

Coordinates are projected equirectangularly around the station (longitude scaled by cos(latitude)),
fitted into the view box with a margin; one colour per route, the depot a square, hubs diamonds."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, MARGIN = 800, 560, 24


def route_colour(n: int) -> str:
    """Distinct hues for neighbouring sequence numbers (golden-angle steps)."""
    return f"hsl({(n * 137.508) % 360:.0f}, 70%, 42%)"


class _Projection:
    def __init__(self, points, lat0):
        self.k = math.cos(math.radians(lat0))
        xs = [lng * self.k for lat, lng in points]
        ys = [lat for lat, lng in points]
        self.x0, self.y1 = min(xs), max(ys)
        span = max(max(xs) - self.x0, max(ys) - min(ys), 1e-6)
        self.scale = min((WIDTH - 2 * MARGIN) / max(max(xs) - self.x0, 1e-6),
                         (HEIGHT - 2 * MARGIN) / max(max(ys) - min(ys), 1e-6), 1e9 if span else 1)

    def __call__(self, lat, lng):
        return (MARGIN + (lng * self.k - self.x0) * self.scale, MARGIN + (self.y1 - lat) * self.scale)


def plan_svg(*, depot: tuple[float, float], routes: list[tuple[int, list[tuple[float, float, str]]]],
             title: str = "") -> str:
    """`routes`: [(sequence, [(lat, lng, kind), ...]), ...] in driving order. Returns safe SVG markup."""
    points = [depot] + [(lat, lng) for _seq, stops in routes for lat, lng, _k in stops]
    project = _Projection(points, depot[0])
    dx, dy = project(*depot)
    paths, hubs = [], []
    for seq, stops in routes:
        coords = [(dx, dy)] + [project(lat, lng) for lat, lng, _k in stops] + [(dx, dy)]
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        paths.append((seq, route_colour(seq), d))
        hubs += [project(lat, lng) for lat, lng, kind in stops if kind == "hub"]
    body = format_html_join("", '<path class="route" data-route="{}" stroke="{}" d="{}"><title>Route {}</title>'
                                '</path>', ((s, c, d, s) for s, c, d in paths))
    hub_marks = format_html_join("", '<rect class="hub" x="{}" y="{}" width="10" height="10" '
                                     'transform="rotate(45 {} {})"/>',
                                 ((f"{x - 5:.1f}", f"{y - 5:.1f}", f"{x:.1f}", f"{y:.1f}") for x, y in hubs))
    return format_html(
        '<svg class="route-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{title}"><title>{title}</title>'
        '<rect width="{w}" height="{h}" fill="#f8f9fa"/>'
        '<g fill="none" stroke-width="2" stroke-linejoin="round" stroke-opacity="0.85">{body}</g>'
        '<g fill="#ffc107" stroke="#000">{hubs}</g>'
        '<rect class="depot" x="{x}" y="{y}" width="14" height="14" fill="#212529"><title>Station</title></rect>'
        '</svg>', w=WIDTH, h=HEIGHT, title=title, body=body, hubs=hub_marks or mark_safe(""),
        x=f"{dx - 7:.1f}", y=f"{dy - 7:.1f}")


def live_svg(*, depot: tuple[float, float], routes: list[tuple[int, str, list[tuple[float, float]],
                                                             tuple[float, float] | None]], title: str = "") -> str:
    """The live board's map: per route `(sequence, code, remaining stops [(lat, lng)], driver position or None)`.
    Remaining stops are a dotted line in the route's colour; the driver a ringed dot labelled with the route."""
    points = [depot] + [p for _s, _c, stops, pos in routes for p in [*stops, *([pos] if pos else [])]]
    project = _Projection(points, depot[0])
    dx, dy = project(*depot)
    lines, drivers = [], []
    for seq, code, stops, pos in routes:
        colour = route_colour(seq)
        if stops:
            lines.append((seq, colour, "M" + " L".join("{:.1f},{:.1f}".format(*project(lat, lng))
                                                        for lat, lng in stops)))
        if pos:
            x, y = project(*pos)
            drivers.append((seq, colour, f"{x:.1f}", f"{y:.1f}", f"{x + 8:.1f}", f"{y + 4:.1f}", code))
    body = format_html_join("", '<path class="remaining" data-route="{}" stroke="{}" d="{}"/>', lines)
    marks = format_html_join("", '<g class="driver" data-route="{0}"><circle cx="{2}" cy="{3}" r="7" fill="{1}" '
                                 'stroke="#fff" stroke-width="2"/><text x="{4}" y="{5}" font-size="11">{6}</text>'
                                 '<title>{6}</title></g>', drivers)
    return format_html(
        '<svg class="route-map live-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{title}"><title>{title}</title><rect width="{w}" height="{h}" fill="#f8f9fa"/>'
        '<g fill="none" stroke-width="2" stroke-dasharray="2 4" stroke-linecap="round">{body}</g>{marks}'
        '<rect class="depot" x="{x}" y="{y}" width="14" height="14" fill="#212529"><title>Station</title></rect>'
        '</svg>', w=WIDTH, h=HEIGHT, title=title, body=body or mark_safe(""), marks=marks or mark_safe(""),
        x=f"{dx - 7:.1f}", y=f"{dy - 7:.1f}")
