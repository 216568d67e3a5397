"""A tiny idempotent endpoint used to test the mechanism in isolation (including a request in flight)."""

import threading

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ValidationFailed
from core.idempotency import idempotent
from core.models import OutboxEvent

entered = threading.Event()
release = threading.Event()


def _create(request):
    if request.data.get("wait"):
        entered.set()
        release.wait(timeout=10)
    if request.data.get("invalid"):
        raise ValidationFailed("n must be a number.", fields={"n": ["Must be a number."]})
    row = OutboxEvent.objects.create(type="test.created", subject_type="test", subject_id="1", payload=request.data)
    if request.data.get("fail"):
        return Response({"detail": "upstream failed"}, status=502)
    return Response({"id": str(row.id), "echo": request.data}, status=201)


class Create(APIView):
    api_area = "account"

    @idempotent
    def post(self, request):
        return _create(request)


class Upload(APIView):
    """A multipart upload (a claim's receipt, say): answers with what it stored."""

    api_area = "account"

    @idempotent
    def post(self, request):
        upload = request.FILES["file"]
        payload = {"note": request.data.get("note", ""), "file": upload.name, "size": len(upload.read())}
        row = OutboxEvent.objects.create(type="test.uploaded", subject_type="test", subject_id="1", payload=payload)
        return Response({"id": str(row.id), **payload}, status=201)


class CreateAtomic(APIView):
    """The same creation, run in one transaction with its record (`idempotent(atomic=True)`)."""

    api_area = "account"

    @idempotent(atomic=True)
    def post(self, request):
        return _create(request)


urlpatterns = [path("create/", Create.as_view()), path("upload/", Upload.as_view()),
               path("create-atomic/", CreateAtomic.as_view())]
