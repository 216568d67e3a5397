"""Demo people for `manage.py seed_demo`. Idempotent: get_or_create by e-mail."""

from allauth.account.models import EmailAddress

from accounts.models import Role, User

DEMO_PASSWORD = "demo-pass-2026"

PEOPLE = [
    ("admin@demo.dspportal.example", "Alex Morgan", Role.PROGRAM_ADMIN),
    ("applicant@demo.dspportal.example", "Jordan Lee", Role.APPLICANT),
    ("veteran@demo.dspportal.example", "Sam Rivera", Role.APPLICANT),
    ("owner@demo.dspportal.example", "Taylor Brooks", Role.PARTNER_OWNER),
    ("driver@demo.dspportal.example", "Chris Patel", Role.DRIVER),
    ("hub@demo.dspportal.example", "Maria Gonzalez", Role.HUB_OWNER),
    ("integrator@demo.dspportal.example", "Acme Dispatch Sync", Role.INTEGRATOR),
]


def demo_user(email: str) -> User:
    return User.objects.get(email=email)


def ensure_user(email, full_name, role, *, password=DEMO_PASSWORD) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "role": role})
    if created:
        user.set_password(password)
        if role == Role.PROGRAM_ADMIN:
            user.is_staff = True
            user.is_superuser = True
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(*, log):
    for email, name, role in PEOPLE:
        ensure_user(email, name, role)
    return [(Role(role).label, email, DEMO_PASSWORD) for email, _name, role in PEOPLE]
