"""Build a realistic demo program. Idempotent: running it twice changes nothing.

Each app owns a `demo.py` with `seed(*, log)` returning the logins it wants printed; they run in
the order of SEEDERS (upstream apps first) inside one transaction.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

SEEDERS = [
    "accounts.demo",
    "onboarding.demo",
    "onboarding.demo_claims",
    "fleet.demo",
    "procurement.demo",
    "hubs.demo",
    "routes.demo",
    "routes.demo_live",
    "dsp_portal.demo_deductions",
    "performance.demo",
    "integrations.demo",
]


class Command(BaseCommand):
    help = "Load the demo program (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        logins = []
        with transaction.atomic():
            for path in SEEDERS:
                module = import_module(path)
                logins.extend(module.seed(log=self.stdout.write) or [])
        self.stdout.write(self.style.SUCCESS("Demo program ready. Sign in at http://127.0.0.1:8000/accounts/login/"))
        width = max(len(role) for role, _e, _p in logins) if logins else 0
        seen = set()
        for role, email, password in logins:
            if email in seen:
                continue
            seen.add(email)
            self.stdout.write(f"  {role:<{width}}  {email}  /  {password}")
