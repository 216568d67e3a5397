from django.urls import path
from rest_framework.routers import SimpleRouter

from fleet import api, procurement_api

router = SimpleRouter()
router.register("fleet/vehicles", api.VehicleViewSet, basename="fleet-vehicle")
router.register("fleet/drivers", api.DriverViewSet, basename="fleet-driver")
router.register("fleet/policies", api.PolicyViewSet, basename="fleet-policy")

urlpatterns = [
    path("fleet/compliance/", api.ComplianceView.as_view(), name="fleet-compliance"),
    path("fleet/compliance/overview/", api.ComplianceOverviewView.as_view(), name="fleet-compliance-overview"),
    path("fleet/assignable/", api.AssignableView.as_view(), name="fleet-assignable"),
    *router.urls,
    # procurement
    path("procurement/catalog/", procurement_api.CatalogListView.as_view(), name="procurement-catalog"),
    path("procurement/catalog/<int:item_id>/", procurement_api.CatalogItemView.as_view(),
         name="procurement-catalog-item"),
    path("procurement/quote/", procurement_api.QuoteView.as_view(), name="procurement-quote"),
    path("procurement/quote/lines/<int:line_id>/", procurement_api.QuoteLineView.as_view(),
         name="procurement-quote-line"),
    path("procurement/quote/submit/", procurement_api.QuoteSubmitView.as_view(), name="procurement-quote-submit"),
    path("procurement/orders/", procurement_api.OrderListView.as_view(), name="procurement-orders"),
    path("procurement/orders/<int:order_id>/", procurement_api.OrderDetailView.as_view(), name="procurement-order"),
    path("procurement/orders/<int:order_id>/cancel/", procurement_api.OrderCancelView.as_view(),
         name="procurement-order-cancel"),
    path("procurement/orders/<int:order_id>/deposit/", procurement_api.OrderDepositView.as_view(),
         name="procurement-order-deposit"),
    path("procurement/orders/<int:order_id>/approve/", procurement_api.OrderDecisionView.as_view(decision="approve"),
         name="procurement-order-approve"),
    path("procurement/orders/<int:order_id>/reject/", procurement_api.OrderDecisionView.as_view(decision="reject"),
         name="procurement-order-reject"),
    path("procurement/orders/<int:order_id>/fulfil/", procurement_api.OrderFulfilView.as_view(),
         name="procurement-order-fulfil"),
]
