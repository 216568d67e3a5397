from django.urls import path

from hubs import views

app_name = "hubs"

urlpatterns = [
    path("enroll/", views.enroll, name="enroll"),
    path("today/", views.today, name="today"),
    path("pause/", views.pause, name="pause"),
    path("earnings/", views.earnings, name="earnings"),
    path("earnings/payouts/", views.payout_setup, name="payout_setup"),
    path("parcels/<int:pk>/photo/", views.parcel_photo, name="parcel_photo"),
    path("review/", views.review_list, name="review_list"),
    path("review/export.csv", views.review_export, name="review_export"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
]
