"""Demo accounts for `make run`. Idempotent: running it twice creates nothing twice."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

DEMO_PASSWORD = "usce-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    full_name: str


APPLICANT = DemoLogin("applicant", "applicant@demo.usce-portal.org", "Amina Okafor")
COORDINATOR = DemoLogin("coordinator", "coordinator@demo.usce-portal.org", "Dr. Laura Bennett")
ADMIN = DemoLogin("admin", "admin@demo.usce-portal.org", "Portal Admin")
DEMO_LOGINS = [APPLICANT, COORDINATOR, ADMIN]


def ensure_demo_user(login: DemoLogin):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        email=login.email,
        defaults={"full_name": login.full_name, "is_staff": login is ADMIN, "is_superuser": login is ADMIN},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=login.email, defaults={"verified": True, "primary": True})
    return user
