"""HTML pages: parse, call one service or selector, render. Another owner's subscription is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import PermissionRequiredMixin
from core.errors import DomainError, NotFound
from core.forms import add_domain_error
from integrations import selectors, services
from integrations.forms import WebhookSubscriptionForm

RECENT_DELIVERIES = 50


class _WebhookView(PermissionRequiredMixin, View):
    permission_required = "webhooks.manage"

    def subscription(self, request, subscription_id):
        try:
            return selectors.webhook_subscription_get(fetched_by=request.user, subscription_id=subscription_id)
        except NotFound:
            raise Http404 from None


class WebhookListView(_WebhookView):
    """Your subscriptions (program admins: everyone's) and the form to add one."""

    template_name = "integrations/webhook_list.html"

    def get(self, request):
        return self._render(request, WebhookSubscriptionForm(owner=request.user))

    def post(self, request):
        form = WebhookSubscriptionForm(request.POST, owner=request.user)
        if form.is_valid():
            try:
                subscription, secret = services.webhook_subscription_create(owner=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return render(request, "integrations/webhook_detail.html",
                              _detail_context(request, subscription, new_secret=secret))
        return self._render(request, form)

    def _render(self, request, form):
        subscriptions = selectors.webhook_subscription_list(fetched_by=request.user)
        return render(request, self.template_name, {"form": form, "subscriptions": subscriptions})


def _detail_context(request, subscription, **extra):
    deliveries = selectors.webhook_delivery_list(fetched_by=request.user, subscription_id=subscription.pk)
    return {"subscription": subscription, "deliveries": deliveries[:RECENT_DELIVERIES], **extra}


class WebhookDetailView(_WebhookView):
    """A subscription with its recent deliveries and every attempt."""

    def get(self, request, subscription_id):
        subscription = self.subscription(request, subscription_id)
        return render(request, "integrations/webhook_detail.html", _detail_context(request, subscription))


class WebhookRotateView(_WebhookView):
    def post(self, request, subscription_id):
        subscription, secret = services.webhook_secret_rotate(subscription=self.subscription(request, subscription_id))
        messages.success(request, _("A new secret signs deliveries; the old one keeps signing during the overlap."))
        return render(request, "integrations/webhook_detail.html",
                      _detail_context(request, subscription, new_secret=secret))


class WebhookActiveView(_WebhookView):
    """Disable, or enable again (which clears the run of failures)."""

    def post(self, request, subscription_id):
        subscription = self.subscription(request, subscription_id)
        enable = request.POST.get("active") == "1"
        services.webhook_subscription_update(subscription=subscription, active=enable)
        messages.success(request, _("The subscription was enabled.") if enable else _("The subscription was disabled."))
        return redirect("integrations:webhook_detail", subscription_id=subscription.pk)


class WebhookDeleteView(_WebhookView):
    def post(self, request, subscription_id):
        services.webhook_subscription_delete(subscription=self.subscription(request, subscription_id))
        messages.success(request, _("The subscription was deleted."))
        return redirect("integrations:webhook_list")


class WebhookRedeliverView(_WebhookView):
    def post(self, request, delivery_id):
        try:
            delivery = selectors.webhook_delivery_get(fetched_by=request.user, delivery_id=delivery_id)
        except NotFound:
            raise Http404 from None
        try:
            services.webhook_delivery_redeliver(delivery=delivery)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The delivery was queued again."))
        return redirect("integrations:webhook_detail", subscription_id=delivery.subscription_id)
