"""Which app may import which: DESIGN.md's picture as data, checked by `tests/platform/test_layers.py`.

`LAYERS` holds each app's direct arrows as DESIGN.md draws them. An app may import the apps its arrows point
to, everything below those (arrows are transitive) and `core` (every app may). The project package
`dsp_portal` (settings, root urls, Celery app, API router) and the tests may import anything.
A new app gets a row here before its first import, so the rule lives with the code it guards.
"""

PROJECT = "dsp_portal"

# app -> the apps DESIGN.md's arrows point to (its direct dependencies)
LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "accounts": frozenset({"core"}),
    "payments": frozenset({"accounts"}),
    "onboarding": frozenset({"accounts", "payments"}),
    "fleet": frozenset({"onboarding", "payments"}),
    "procurement": frozenset({"fleet", "onboarding", "payments"}),
    "hubs": frozenset({"accounts", "payments"}),
    "routes": frozenset({"fleet", "onboarding", "hubs"}),
    "integrations": frozenset({"accounts"}),
    "performance": frozenset({"routes"}),
}


def allowed(app: str) -> frozenset[str]:
    """The apps `app` may import: its arrows, what lies below them, and core."""
    seen: set[str] = set()
    todo = list(LAYERS[app])
    while todo:
        other = todo.pop()
        if other not in seen:
            seen.add(other)
            todo.extend(LAYERS[other])
    return frozenset(seen | {"core"}) - {app}


def may_import(app: str, other: str) -> bool:
    """Whether code in `app` may import `other` (an app of this project)."""
    return app == PROJECT or other == app or other in allowed(app)
