from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.WebhookListView.as_view(), name="webhook_list"),
    path("webhooks/<int:subscription_id>/", views.WebhookDetailView.as_view(), name="webhook_detail"),
    path("webhooks/<int:subscription_id>/rotate/", views.WebhookRotateView.as_view(), name="webhook_rotate"),
    path("webhooks/<int:subscription_id>/active/", views.WebhookActiveView.as_view(), name="webhook_active"),
    path("webhooks/<int:subscription_id>/delete/", views.WebhookDeleteView.as_view(), name="webhook_delete"),
    path("webhooks/deliveries/<int:delivery_id>/redeliver/", views.WebhookRedeliverView.as_view(),
         name="webhook_redeliver"),
]
