"""Webhook secrets at rest: Fernet-encrypted under a key derived from SECRET_KEY.

They cannot be hashed (we sign with them), so a database dump alone does not reveal them.
Changing SECRET_KEY makes stored secrets unreadable: rotate every subscription's secret then."""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"dsp-portal:webhook-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
