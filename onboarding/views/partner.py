"""The Partner's page: company details, members and the onboarding checklist (owner and admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required, user_has_perm
from core.errors import DomainError, NotFound
from onboarding.checklist import checklist_progress, partner_checklist
from onboarding.forms import ChecklistForm, EinForm
from onboarding.models import PartnerMembership
from onboarding.selectors import partner_for_user, partner_get_for_user, partner_list, partner_members
from onboarding.services import partner_checklist_update
from onboarding.views.common import flash_domain_error


@permission_required("partner.view")
def my_company(request):
    partner = partner_for_user(user=request.user)
    if partner is None:
        return render(request, "onboarding/no_company.html")
    return _render(request, partner)


@login_required
def partner_detail(request, partner_id):
    try:
        partner = partner_get_for_user(user=request.user, partner_id=partner_id)
    except NotFound:
        raise Http404 from None
    return _render(request, partner)


@permission_required("onboarding.review")
def partners(request):
    return render(request, "onboarding/partners.html", {"partners": partner_list(fetched_by=request.user)})


def _render(request, partner):
    items = partner_checklist(partner=partner)
    done, total = checklist_progress(items)
    is_admin = user_has_perm(request.user, "onboarding.review")
    is_owner = partner.memberships.filter(user=request.user, role=PartnerMembership.Role.OWNER).exists()
    return render(request, "onboarding/partner.html", {
        "partner": partner, "members": partner_members(partner=partner), "items": items, "done": done,
        "total": total, "percent": round(100 * done / total), "is_admin": is_admin, "is_owner": is_owner,
        "checklist_form": ChecklistForm(initial={"training_done": partner.training_completed_at is not None,
                                                 "first_route_on": partner.first_route_on}),
        "ein_form": EinForm(initial={"ein": partner.ein}),
    })


@require_POST
@login_required
def checklist_update(request, partner_id):
    try:
        partner = partner_get_for_user(user=request.user, partner_id=partner_id)
    except NotFound:
        raise Http404 from None
    kwargs = {}
    if "ein" in request.POST:
        form = EinForm(request.POST)
        if form.is_valid():
            kwargs["ein"] = form.cleaned_data["ein"]
    else:
        form = ChecklistForm(request.POST)
        if form.is_valid():
            kwargs = {"training_done": form.cleaned_data["training_done"],
                      "first_route_on": form.cleaned_data["first_route_on"]}
    if not form.is_valid():
        messages.error(request, _("Check the values and try again."))
        return redirect("onboarding:partner_detail", partner.pk)
    try:
        partner_checklist_update(partner=partner, updated_by=request.user, **kwargs)
    except DomainError as exc:
        flash_domain_error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("onboarding:partner_detail", partner.pk)
