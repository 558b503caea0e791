"""Demo institutions, the demo coordinator's membership and the demo catalogue. Idempotent."""

from accounts import demo as account_demo

from .demo_catalogue import ensure_demo_catalogue
from .models import Institution, InstitutionMembership

DEMO_INSTITUTIONS = [
    # name, kind, city, state, time zone, verified
    ("Lakeshore University Medical Center", "academic", "Chicago", "IL", "America/Chicago", True),
    ("Bayview Community Hospital", "community", "Tampa", "FL", "America/New_York", True),
    ("Sonoran Valley Teaching Hospital", "teaching", "Phoenix", "AZ", "America/Phoenix", False),
]


def ensure_demo_institutions() -> list[Institution]:
    institutions = []
    for name, kind, city, state, tz, verified in DEMO_INSTITUTIONS:
        institution, _ = Institution.objects.get_or_create(
            name=name,
            city=city,
            state=state,
            defaults={
                "kind": kind,
                "time_zone": tz,
                "verified": verified,
                "website": f"https://www.{name.split()[0].lower()}-health.example.org",
            },
        )
        institutions.append(institution)
    coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
    InstitutionMembership.objects.get_or_create(user=coordinator, institution=institutions[0])
    return institutions


def ensure_demo_listings(listings: int = 300, log=None) -> int:
    """The demo catalogue, with the demo institutions (the coordinator's first) among its publishers."""
    return ensure_demo_catalogue(listings, first_institutions=ensure_demo_institutions(), log=log)
