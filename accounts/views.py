from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.forms import ApiTokenForm
from accounts.selectors import api_token_list
from accounts.services import api_token_create, api_token_revoke
from core.errors import DomainError


class ApiTokensView(LoginRequiredMixin, View):
    """Create, list and revoke one's own API tokens (program admins see every token)."""

    template_name = "accounts/api_tokens.html"

    def get(self, request):
        return self._render(request, ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, raw = api_token_create(user=request.user, created_by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                return self._render(request, ApiTokenForm(), new_token=raw, new_token_row=token)
        return self._render(request, form)

    def _render(self, request, form, **extra):
        tokens = api_token_list(fetched_by=request.user)
        return render(request, self.template_name, {"form": form, "tokens": tokens, **extra})


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, token_id):
        api_token_revoke(token_id=token_id, revoked_by=request.user)
        messages.success(request, _("The token was revoked."))
        return redirect("accounts:api_tokens")
