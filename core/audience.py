"""Who may read an event's object: the audience every outbox event carries (DESIGN "Events have an audience").

Whoever records an event names its audience; delivery filters by it, never by event type alone.
Program admins always read; an empty audience means "the program only". The kinds are:

- ``partner``: members of these partners (several for a plan that hands routes to many partners);
- ``hub``: the owner of this hub;
- ``applicant``: the user who applied.

Which users belong to a partner or own a hub is known only by the apps that own those tables, and
core imports nobody: they register a `tenancy` reader here in their `AppConfig.ready()`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

PARTNER, HUB, APPLICANT = "partner", "hub", "applicant"
KINDS = (PARTNER, HUB, APPLICANT)


@dataclass(frozen=True)
class Audience:
    """Who besides program admins may read an object. `Audience()` is program-only."""

    partner_ids: frozenset[int] = frozenset()
    hub_id: int | None = None
    applicant_id: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "partner_ids", frozenset(int(p) for p in self.partner_ids if p is not None))

    @classmethod
    def program(cls) -> "Audience":
        return cls()

    @classmethod
    def partners(cls, partner_ids: Iterable[int]) -> "Audience":
        return cls(partner_ids=frozenset(partner_ids))

    @classmethod
    def partner(cls, partner_id: int) -> "Audience":
        return cls(partner_ids=frozenset([partner_id]))

    @classmethod
    def hub(cls, hub_id: int) -> "Audience":
        return cls(hub_id=hub_id)

    @classmethod
    def applicant(cls, user_id: int) -> "Audience":
        return cls(applicant_id=user_id)

    @classmethod
    def holder(cls, holder: str) -> "Audience":
        """From an opaque payments holder (`"partner:12"`, `"hub:7"`); anything else is program-only."""
        kind, _sep, object_id = (holder or "").partition(":")
        if not object_id.isdigit():
            return cls()
        if kind == PARTNER:
            return cls.partner(int(object_id))
        if kind == HUB:
            return cls.hub(int(object_id))
        return cls()

    @property
    def kinds(self) -> set[str]:
        named = {PARTNER: bool(self.partner_ids), HUB: self.hub_id is not None,
                 APPLICANT: self.applicant_id is not None}
        return {kind for kind, present in named.items() if present}

    @property
    def is_program_only(self) -> bool:
        return not self.kinds


@dataclass(frozen=True)
class EventAudience:
    """What an event type may name: the audience kinds, and the API scope area whose read scope lets an
    integrator receive it program-wide (None: no integrator ever does)."""

    kinds: frozenset[str]
    area: str | None

    def __post_init__(self):
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"Unknown audience kind(s) {sorted(unknown)}; known: {KINDS}")


# kind -> fn(*, user_ids: set[int], object_ids: set[int]) -> the user ids that may read those objects.
_TENANCY: dict[str, Callable[..., set[int]]] = {}


def register_tenancy(kind: str, fn: Callable[..., set[int]]) -> Callable[..., set[int]]:
    """An app that owns a tenant table says who belongs to which of its objects (called once per fan-out)."""
    if kind not in (PARTNER, HUB):
        raise ValueError(f"Tenancy is registered for {PARTNER!r} or {HUB!r}, not {kind!r}")
    _TENANCY[kind] = fn
    return fn


def tenancy_members(kind: str, *, user_ids: set[int], object_ids: set[int]) -> set[int]:
    """Of `user_ids`, those who belong to any of `object_ids` (members of a partner, owners of a hub), now."""
    if not user_ids or not object_ids:
        return set()
    if kind not in _TENANCY:
        raise RuntimeError(f"No tenancy reader for {kind!r}: its app must call core.audience.register_tenancy")
    return set(_TENANCY[kind](user_ids=set(user_ids), object_ids=set(object_ids)))
