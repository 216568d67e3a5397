"""The recipient's tracking page: no login, reached by the package's signed link. It shows that one package (status,
the day's window, a live ETA, how many stops away the driver is, proof of delivery) and takes a rating or a
"delivered, not received" report. A link that is not ours answers 404."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.files import private_file_response
from routes.models import RecipientFeedback
from routes.services.recipients import (
    package_for_token,
    recipient_feedback_record,
    tracking_photo,
    tracking_view,
)
from routes.views.common import or_404


@require_GET
def track(request, token):
    package = or_404(package_for_token, token=token)
    feedback = RecipientFeedback.objects.filter(package=package).first()
    response = render(request, "routes/track.html", {"t": tracking_view(package=package), "token": token,
                                                     "feedback": feedback, "stars": range(1, 6)})
    # The link is the key: never hand it to another site ("no-referrer" would make the rating form post Origin: null)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def track_feedback(request, token):
    package = or_404(package_for_token, token=token)
    try:
        recipient_feedback_record(package=package, rating=request.POST.get("rating"),
                                  comment=request.POST.get("comment", ""),
                                  not_received=request.POST.get("not_received") == "1")
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Thank you, we passed it on."))
    return redirect(reverse("track", args=[token]))


@require_GET
def track_photo(request, token):
    package = or_404(package_for_token, token=token)
    photo = or_404(tracking_photo, package=package)
    return private_file_response(photo, download_name=f"proof-{package.tracking_id}.jpg")
