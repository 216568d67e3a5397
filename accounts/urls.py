from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.ApiTokensView.as_view(), name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]
