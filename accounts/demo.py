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
    look_at: str = ""  # where the demo shows this role the most (printed by `make run`)


APPLICANT = DemoLogin(
    "applicant",
    "applicant@demo.usce-portal.org",
    "Amina Okafor",
    "/applications/ (an offer from a match round, a completed rotation with certificate and review, "
    "a draft that lists what it lacks), /letters/, /notifications/",
)
COORDINATOR = DemoLogin(
    "coordinator",
    "coordinator@demo.usce-portal.org",
    "Dr. Laura Bennett",
    "/applications/queue/ (every state), /applications/coordinate/ (dashboard), /rounds/coordinate/ "
    "(set up two-factor authentication at first login)",
)
ADMIN = DemoLogin(
    "admin",
    "admin@demo.usce-portal.org",
    "Portal Admin",
    "/placements/moderation/ (listings by status), /admin/ (two-factor set-up first)",
)
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
