"""Repair costs per van per month as a grouped bar chart, drawn as SVG on the server (no chart library, no
JavaScript, works offline), in the manner of `routes/map.py`."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 64


def van_colour(n: int) -> str:
    return f"hsl({(n * 137.508 + 200) % 360:.0f}, 60%, 45%)"


def _nice_top(value: Decimal) -> Decimal:
    """The axis maximum: 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 0:
        return Decimal("100")
    step = Decimal(1)
    while True:
        for k in (1, 2, 5):
            if step * k >= value:
                return step * k
        step *= 10


def costs_svg(*, months, series, title: str) -> str:
    """`months`: month starts; `series`: [(van label, [cost per month])]. Returns safe SVG markup."""
    top = _nice_top(max((c for _label, costs in series for c in costs), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(months), 1)
    bar_w = max(2.0, (group_w - 12) / max(len(series), 1))
    bars = []
    for s, (label, costs) in enumerate(series):
        for m, cost in enumerate(costs):
            if not cost:
                continue
            h = float(cost / top) * plot_h
            x = LEFT + m * group_w + 6 + s * bar_w
            bars.append((f"{x:.1f}", f"{TOP + plot_h - h:.1f}", f"{bar_w:.1f}", f"{h:.1f}", van_colour(s),
                         f"{label} · {months[m]:%b %Y}: ${cost:,.2f}"))
    ticks = [(top * k / 4) for k in range(5)]
    def y(value):
        return f"{TOP + plot_h - float(value / top) * plot_h:.1f}"

    grid = format_html_join("", '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
                                '<text x="{}" y="{}" text-anchor="end" dy="4">${}</text>',
                            ((LEFT, WIDTH - RIGHT, y(t), y(t), LEFT - 6, y(t), f"{t:,.0f}") for t in ticks))
    labels = format_html_join("", '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                              ((f"{LEFT + (m + 0.5) * group_w:.1f}", TOP + plot_h + 18, f"{month:%b %Y}")
                               for m, month in enumerate(months)))
    legend = format_html_join("", '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                                  '<text x="{}" y="{}">{}</text>',
                              ((LEFT + (s % 5) * 136, HEIGHT - 26 + (s // 5) * 14, van_colour(s),
                                LEFT + (s % 5) * 136 + 14, HEIGHT - 17 + (s // 5) * 14, label[:18])
                               for s, (label, _c) in enumerate(series[:10])))
    body = format_html_join("", '<rect class="cost-bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                                '<title>{}</title></rect>', bars)
    return format_html(
        '<svg class="cost-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{title}" font-size="11" font-family="sans-serif"><title>{title}</title>{grid}{body}{labels}'
        '{legend}</svg>', w=WIDTH, h=HEIGHT, title=title, grid=grid, body=body or mark_safe(""), labels=labels,
        legend=legend or mark_safe(""))
