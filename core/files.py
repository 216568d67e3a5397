"""Private uploads: stored outside every public URL, type checked by content, size limited.

Models use `PrivateFileField`; views serve a file with `private_file_response` only after
checking the requester may see it.
"""

import hashlib
import uuid

import filetype
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = _PrivateStorage()


def _get_private_storage():
    return private_storage


@deconstructible
class UploadTo:
    """`<prefix>/<yyyy>/<mm>/<uuid>.<ext>`: the user's file name never reaches the disk path."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __call__(self, instance, filename):
        from django.utils import timezone

        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        now = timezone.now()
        return f"{self.prefix}/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class PrivateFileField(models.FileField):
    def __init__(self, *args, prefix="uploads", **kwargs):
        kwargs.setdefault("storage", _get_private_storage)
        kwargs.setdefault("upload_to", UploadTo(prefix))
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)


def validate_upload(upload, *, allowed=None, max_bytes=None, field="file") -> str:
    """Check an uploaded file by its content. Returns the detected MIME type or raises."""
    allowed = allowed or DOCUMENT_TYPES
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationFailed(_("Choose a file to upload."), fields={field: [_("This file is required.")]})
    if upload.size > max_bytes:
        message = _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
        raise ValidationFailed(message, code="file_too_large", fields={field: [message]})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in allowed:
        names = ", ".join(sorted(ext.upper() for ext in set(allowed.values())))
        message = _("Only %(names)s files are accepted; this file's content is not one of them.") % {"names": names}
        raise ValidationFailed(message, code="file_type_not_allowed", fields={field: [message]})
    return mime


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def sniffed_type(handle) -> str:
    """The MIME type read from a file's first bytes (never from its name); octet-stream when unknown."""
    handle.seek(0)
    kind = filetype.guess(handle.read(8192))
    handle.seek(0)
    return kind.mime if kind else "application/octet-stream"


def _name_for(name: str, mime: str) -> str:
    """The download name with the extension of the type found by content: `invoice.html` holding a PDF
    downloads as `invoice.pdf`, so no browser or desktop opens it as HTML."""
    ext = {**DOCUMENT_TYPES, **IMAGE_TYPES}.get(mime)
    if ext is None:
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'file'}.{ext}"


def private_file_response(field_file, *, download_name=None):
    """Stream a private file as an attachment typed by its content. Call only after the permission check."""
    handle = field_file.open("rb")
    content_type = sniffed_type(handle)
    name = _name_for(download_name or field_file.name.rsplit("/", 1)[-1], content_type)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
