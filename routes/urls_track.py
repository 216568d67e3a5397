"""The recipient's tracking link (`/t/<token>/`): public, short enough for a text message."""

from django.urls import path

from routes.views import track

urlpatterns = [
    path("<str:token>/", track.track, name="track"),
    path("<str:token>/rate/", track.track_feedback, name="track_feedback"),
    path("<str:token>/photo/", track.track_photo, name="track_photo"),
]
