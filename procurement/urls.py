"""Procurement pages. Mounted under `/fleet/` (where they always were, so bookmarks keep working)."""

from django.urls import path

from procurement import views

app_name = "procurement"

urlpatterns = [
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<int:item_id>/", views.catalog_item, name="catalog_item"),
    path("quote/", views.quote, name="quote"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/queue/", views.order_queue, name="order_queue"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("savings/", views.savings, name="savings"),
    path("savings.csv", views.savings_csv, name="savings_csv"),
]
