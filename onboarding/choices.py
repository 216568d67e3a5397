"""Fixed vocabularies of the application (program data an admin edits lives in models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    LLC = "llc", _("Limited liability company (LLC)")
    CORPORATION = "corporation", _("C corporation")
    S_CORPORATION = "s_corporation", _("S corporation")
    PARTNERSHIP = "partnership", _("Partnership")
    SOLE_PROPRIETORSHIP = "sole_proprietorship", _("Sole proprietorship")


class MilitaryBranch(models.TextChoices):
    ARMY = "army", _("Army")
    NAVY = "navy", _("Navy")
    AIR_FORCE = "air_force", _("Air Force")
    MARINE_CORPS = "marine_corps", _("Marine Corps")
    COAST_GUARD = "coast_guard", _("Coast Guard")
    SPACE_FORCE = "space_force", _("Space Force")
    NATIONAL_GUARD = "national_guard", _("National Guard")
    RESERVE = "reserve", _("Reserve")


class DischargeType(models.TextChoices):
    HONORABLE = "honorable", _("Honorable")
    GENERAL = "general", _("General (under honorable conditions)")
    OTHER_THAN_HONORABLE = "other_than_honorable", _("Other than honorable")
    STILL_SERVING = "still_serving", _("Still serving")
    OTHER = "other", _("Other")
