"""Hub split: packages inside an active hub's radius go to that hub, up to the room it has left.

A fixed number of queries per station-day plus a few per hub that takes parcels: the active hubs
near the station in one query, their room in one query (`hubs_capacity_left`), the distances in
numpy, then one all-or-nothing `parcels_allocate` per hub and one UPDATE of the packages per hub.
"""

import logging
import math
from datetime import date

import numpy as np
from django.db import transaction

from core.calendar import closed_reason
from core.errors import DomainError
from hubs.models import Hub, HubStatus
from hubs.selectors import hubs_capacity_left
from hubs.services import ParcelSpec, parcels_allocate
from routes.models import Package, PackageStatus, Station

logger = logging.getLogger(__name__)

EARTH_RADIUS_MILES = 3958.8
SEARCH_MILES = 60  # hubs farther than this from the station never serve its packages


def _miles(lat1, lng1, lat2, lng2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lng2 - lng1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _hubs_near_station(station: Station) -> list[Hub]:
    lat, lng = float(station.latitude), float(station.longitude)
    dlat = SEARCH_MILES / 69.0
    dlng = SEARCH_MILES / (69.0 * max(math.cos(math.radians(lat)), 0.01))
    return list(Hub.objects.filter(status=HubStatus.ACTIVE, latitude__range=(lat - dlat, lat + dlat),
                                   longitude__range=(lng - dlng, lng + dlng)).order_by("pk"))


def hub_split(*, station: Station, service_date: date) -> dict[int, int]:
    """Allocate the day's still-unplanned packages to hubs. Returns {hub id: packages allocated}.

    Packages needing a signature stay on the vans. A hub that refuses (paused, closed, full since
    we looked) simply takes none; its packages stay on the vans."""
    if closed_reason(service_date):
        return {}
    hubs = _hubs_near_station(station)
    if not hubs:
        return {}
    room = hubs_capacity_left(hub_ids=[h.pk for h in hubs], service_date=service_date)
    hubs = [h for h in hubs if room.get(h.pk, 0) > 0]
    if not hubs:
        return {}
    rows = list(Package.objects.filter(station=station, service_date=service_date, hub__isnull=True,
                                       status__in=[PackageStatus.PENDING, PackageStatus.UNASSIGNED,
                                                   PackageStatus.ROUTED],
                                       signature_required=False)
                .values_list("pk", "tracking_id", "recipient_name", "address_line1", "latitude", "longitude"))
    if not rows:
        return {}
    lat = np.array([float(r[4]) for r in rows])
    lng = np.array([float(r[5]) for r in rows])
    hub_lat = np.array([float(h.latitude) for h in hubs])
    hub_lng = np.array([float(h.longitude) for h in hubs])
    radius = np.array([float(h.radius_miles) for h in hubs])
    dist = _miles(lat[:, None], lng[:, None], hub_lat[None, :], hub_lng[None, :])  # packages x hubs
    dist[dist > radius[None, :]] = np.inf
    nearest = np.argmin(dist, axis=1)
    covered = np.isfinite(dist[np.arange(len(rows)), nearest])
    taken: dict[int, int] = {}
    for k, hub in enumerate(hubs):
        mine = np.flatnonzero(covered & (nearest == k))
        if not len(mine):
            continue
        mine = mine[np.argsort(dist[mine, k], kind="stable")][: room[hub.pk]]  # nearest to the hub first
        chosen = [rows[i] for i in mine]
        try:
            with transaction.atomic():
                parcels_allocate(hub=hub, service_date=service_date, parcels=[
                    ParcelSpec(r[1], r[2][:200], r[3][:300]) for r in chosen])
                Package.objects.filter(pk__in=[r[0] for r in chosen]).update(hub=hub, status=PackageStatus.HUB,
                                                                            stop=None)
        except DomainError as exc:
            logger.info("hub %s took no packages for %s: %s", hub.pk, service_date, exc.code)
            continue
        taken[hub.pk] = len(chosen)
    return taken
