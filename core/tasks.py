from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.models import IdempotencyRecord


@shared_task(acks_late=True)
def idempotency_purge():
    """Forget stored idempotent responses older than IDEMPOTENCY_KEY_TTL."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
