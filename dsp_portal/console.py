"""The program admin console: figures and queues from every app on one page.

Each app contributes panels here through its own selectors (this package may import any app).
A panel is a callable returning a list of `Stat`s; a failing panel never hides the others.
"""

import logging
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass
class Stat:
    label: str
    value: object
    url: str = ""
    hint: str = ""


def _accounts_panel():
    from accounts.models import ApiToken, Role, User

    counts = dict(User.objects.values_list("role").annotate(n=Count("id")))
    stats = [Stat(label, counts.get(value, 0)) for value, label in Role.choices]
    stats.append(Stat(_("Active API tokens"), ApiToken.objects.active().count()))
    return stats


PANELS: list[tuple[str, object]] = [
    (_("People"), _accounts_panel),
]


def console_panels():
    out = []
    for title, build in PANELS:
        try:
            out.append({"title": title, "stats": build()})
        except Exception:
            logger.exception("console panel %s failed", title)
            out.append({"title": title, "stats": [], "error": True})
    return out
