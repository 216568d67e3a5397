"""The recipient's tracking link (`/t/<token>/`): public, short enough for a text message."""

from django.urls import path

from routes import views_track

urlpatterns = [
    path("<str:token>/", views_track.track, name="track"),
    path("<str:token>/rate/", views_track.track_feedback, name="track_feedback"),
    path("<str:token>/photo/", views_track.track_photo, name="track_photo"),
]
