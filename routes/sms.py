"""Text messages to recipients, behind one small interface (`send(to, body)`) chosen by RECIPIENT_SMS_BACKEND.

No provider is wired in: a real one (Twilio, SNS...) is another class with the same `send`. The console backend
prints (the demo), the file backend writes one line per message under RECIPIENT_SMS_FILE_DIR, and the memory
backend keeps them in `outbox` for tests (no network anywhere)."""

import json
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

outbox: list[dict] = []  # LocmemSmsBackend's messages, oldest first
_lock = threading.Lock()


class SmsError(Exception):
    """The message could not be handed to the provider (recorded on the notification, never raised to a page)."""


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        print(f"SMS to {to}: {body}", flush=True)  # noqa: T201 - the demo's provider is the console


class FileSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        folder = Path(settings.RECIPIENT_SMS_FILE_DIR)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _lock, open(folder / f"{timezone.now():%Y-%m-%d}.jsonl", "a", encoding="utf-8") as out:
                out.write(json.dumps({"at": timezone.now().isoformat(), "to": to, "body": body}) + "\n")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


class LocmemSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        with _lock:
            outbox.append({"to": to, "body": body})


def sms_backend():
    return import_string(settings.RECIPIENT_SMS_BACKEND)()
