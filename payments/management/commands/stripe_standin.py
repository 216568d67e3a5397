"""`manage.py stripe_standin`: the local Stripe stand-in `make run` starts beside the server (no keys needed)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse


class Command(BaseCommand):
    help = "Serve the local Stripe stand-in, sending signed events to this portal's webhook endpoint."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="default: STRIPE_STANDIN_PORT (8420)")
        parser.add_argument("--store", default=str(settings.BASE_DIR / "var" / "stripe-standin.pickle"),
                            help="where accounts, transfers and payments are kept between runs")

    def handle(self, *args, port=None, store="", **options):
        if not settings.STRIPE_STANDIN:
            self.stdout.write("STRIPE_SECRET_KEY is set: payments go to Stripe, so no stand-in is started.")
            return
        from payments.standin import serve

        port = port or settings.STRIPE_STANDIN_PORT
        webhook_url = settings.SITE_URL.rstrip("/") + reverse("payments:stripe-webhook")
        self.stdout.write(f"Stripe stand-in on http://127.0.0.1:{port} (events to {webhook_url})")
        serve(port=port, webhook_url=webhook_url, webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
              store_path=Path(store) if store else None)
