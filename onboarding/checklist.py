"""The onboarding checklist a new Partner works through until its first route.

Some items are answered by apps downstream of onboarding (fleet knows about insurance, vans and
drivers; routes knows the first route). Onboarding must never import them, so those apps'
selectors are registered here from the project (`dsp_portal/apps.py`, `ready()`):

    checklist_source_register("vans_ordered", lambda partner: fleet_selectors.has_orders(partner=partner))

A source returns True (done), False (not done) or None (no answer: fall back to the manual value,
if the item has one). An item without a source and without a manual value shows as "not yet".
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

Source = Callable[[object], bool | None]

_SOURCES: dict[str, Source] = {}


@dataclass(frozen=True)
class ItemSpec:
    key: str
    label: str
    hint: str
    manual: bool = False  # an admin may tick it on the page


ITEMS: list[ItemSpec] = [
    ItemSpec("entity_registered", _("Entity registered"), _("The company's EIN is on file.")),
    ItemSpec("insurance_bound", _("Insurance bound"), _("Commercial auto and liability policies are active.")),
    ItemSpec("vans_ordered", _("Vans ordered"), _("At least one branded van is ordered or on the road.")),
    ItemSpec("drivers_added", _("Drivers added"), _("Drivers are on the roster.")),
    ItemSpec("training_done", _("Training done"), _("The owner completed the program's training."), manual=True),
    ItemSpec("first_route", _("First route date"), _("The day the first route runs."), manual=True),
]
ITEM_KEYS = {item.key for item in ITEMS}


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    done: bool
    manual: bool
    automatic: bool  # answered by another app's data
    detail: str = ""


def checklist_source_register(key: str, fn: Source) -> None:
    """Let another app answer a checklist item. Called from the project's `ready()`."""
    if key not in ITEM_KEYS:
        raise KeyError(f"Unknown checklist item {key!r}; known: {sorted(ITEM_KEYS)}")
    _SOURCES[key] = fn


def checklist_source_unregister(key: str) -> None:
    _SOURCES.pop(key, None)


def _ask(key, partner) -> bool | None:
    fn = _SOURCES.get(key)
    if fn is None:
        return None
    try:
        return fn(partner)
    except Exception:
        # One failing app must not hide the owner's whole checklist.
        logger.exception("checklist source %s failed for partner %s", key, partner.pk)
        return None


def _manual(key, partner) -> tuple[bool | None, str]:
    if key == "entity_registered":
        return bool(partner.ein), partner.ein
    if key == "training_done":
        done = partner.training_completed_at is not None
        return done, (f"{partner.training_completed_at:%b %-d, %Y}" if done else "")
    if key == "first_route":
        return partner.first_route_on is not None, (f"{partner.first_route_on:%b %-d, %Y}"
                                                    if partner.first_route_on else "")
    return None, ""


def partner_checklist(*, partner) -> list[ChecklistItem]:
    items = []
    for spec in ITEMS:
        answered = _ask(spec.key, partner)
        manual_done, detail = _manual(spec.key, partner)
        done = answered if answered is not None else bool(manual_done)
        items.append(ChecklistItem(key=spec.key, label=spec.label, hint=spec.hint, done=bool(done),
                                   manual=spec.manual and answered is None, automatic=answered is not None,
                                   detail=detail))
    return items


def checklist_progress(items: list[ChecklistItem]) -> tuple[int, int]:
    return sum(1 for item in items if item.done), len(items)
