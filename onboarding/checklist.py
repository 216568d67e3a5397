"""The onboarding checklist a new Partner works through until its first route.

Some items are answered by apps downstream of onboarding (fleet knows about insurance, vans and
drivers; routes knows the first route). Onboarding must never import them, so those apps'
selectors are registered on the `checklist_sources` hook in those apps' `ready()`:

    checklist_sources.register(lambda partner: procurement.partner_has_vans_ordered(partner=partner),
                               key="vans_ordered")

A source returns True (done), a date (done on that day), False (not done) or None (no answer: fall back
to the manual value, if the item has one). An item without a source and without a manual value shows as "not yet".
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from core.hooks import Hook

logger = logging.getLogger(__name__)



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

# Other apps answer items from their own data: `fn(partner) -> bool | date | None` (a date: done on that day;
# None: no answer, the manual value stands). Onboarding imports none of them: fleet, procurement and routes
# register in their own `ready()` (core/hooks.py).
checklist_sources = Hook("onboarding.checklist_source", single=True, keys=ITEM_KEYS)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    done: bool
    manual: bool
    automatic: bool  # answered by another app's data
    detail: str = ""


def _ask(key, partner) -> bool | None:
    try:
        return checklist_sources.ask(key, partner)
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
        if isinstance(answered, date):  # done on that day (the first route's date)
            answered, detail = True, f"{answered:%b %-d, %Y}"
        done = answered if answered is not None else bool(manual_done)
        items.append(ChecklistItem(key=spec.key, label=spec.label, hint=spec.hint, done=bool(done),
                                   manual=spec.manual and answered is None, automatic=answered is not None,
                                   detail=detail))
    return items


def checklist_progress(items: list[ChecklistItem]) -> tuple[int, int]:
    return sum(1 for item in items if item.done), len(items)
