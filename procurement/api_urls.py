from django.urls import path

from procurement import api

urlpatterns = [
    path("procurement/catalog/", api.CatalogListView.as_view(), name="procurement-catalog"),
    path("procurement/catalog/<int:item_id>/", api.CatalogItemView.as_view(),
         name="procurement-catalog-item"),
    path("procurement/quote/", api.QuoteView.as_view(), name="procurement-quote"),
    path("procurement/quote/lines/<int:line_id>/", api.QuoteLineView.as_view(),
         name="procurement-quote-line"),
    path("procurement/quote/submit/", api.QuoteSubmitView.as_view(), name="procurement-quote-submit"),
    path("procurement/orders/", api.OrderListView.as_view(), name="procurement-orders"),
    path("procurement/orders/<int:order_id>/", api.OrderDetailView.as_view(), name="procurement-order"),
    path("procurement/orders/<int:order_id>/cancel/", api.OrderCancelView.as_view(),
         name="procurement-order-cancel"),
    path("procurement/orders/<int:order_id>/deposit/", api.OrderDepositView.as_view(),
         name="procurement-order-deposit"),
    path("procurement/orders/<int:order_id>/approve/", api.OrderDecisionView.as_view(decision="approve"),
         name="procurement-order-approve"),
    path("procurement/orders/<int:order_id>/reject/", api.OrderDecisionView.as_view(decision="reject"),
         name="procurement-order-reject"),
    path("procurement/orders/<int:order_id>/fulfil/", api.OrderFulfilView.as_view(),
         name="procurement-order-fulfil"),
]
