"""The service worker of the offline outbox, served from the site's root so it may control every page."""

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

SW_PATH = "core/offline/sw.js"


@require_GET
@never_cache
def service_worker(request):
    path = finders.find(SW_PATH)
    if path is None:
        raise Http404
    with open(path, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response
