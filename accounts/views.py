from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.forms import ApiTokenForm
from accounts.permissions import user_has_perm
from accounts.selectors import api_token_list
from accounts.services import api_token_create, api_token_revoke
from core.errors import DomainError, NotFound


class ApiTokensView(LoginRequiredMixin, View):
    """Create, list and revoke one's own API tokens (program admins see every token)."""

    template_name = "accounts/api_tokens.html"

    def get(self, request):
        return self._render(request, self._form())

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            owner = fields.pop("issue_to", None) or request.user
            try:
                token, raw = api_token_create(user=owner, created_by=request.user, **fields)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                return self._render(request, self._form(), new_token=raw, new_token_row=token)
        return self._render(request, form)

    def _form(self, data=None):
        return ApiTokenForm(data, can_issue=user_has_perm(self.request.user, "tokens.issue"))

    def _render(self, request, form, **extra):
        tokens = api_token_list(fetched_by=request.user)
        return render(request, self.template_name, {"form": form, "tokens": tokens, **extra})


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, token_id):
        try:
            api_token_revoke(token_id=token_id, revoked_by=request.user)
        except NotFound:
            raise Http404 from None
        messages.success(request, _("The token was revoked."))
        return redirect("accounts:api_tokens")
