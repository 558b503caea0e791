"""Back-dated application histories for the responsiveness tests."""

import datetime as dt

from django.utils import timezone

from applications.models import ApplicationEvent
from tests.accounts.factories import UserFactory
from tests.applications.factories import ApplicationFactory


def history(session, *, submitted_days_ago: float, moves: list[tuple[float, str]], status: str = "", now=None):
    """An application to `session` submitted that many days ago, with `moves` as (days after submission, to_status)."""
    now = now or timezone.now()
    submitted = now - dt.timedelta(days=submitted_days_ago)
    final = status or (moves[-1][1] if moves else "submitted")
    application = ApplicationFactory(
        session=session, applicant=UserFactory(), status=final, submitted_at=submitted, waitlist_position=None
    )
    if final == "waitlisted":
        application.waitlist_position = 1
    if final == "offered":
        application.offer_expires_at = now + dt.timedelta(days=3)
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        actor_role="applicant",
        from_status="draft",
        to_status="submitted",
        created_at=submitted,
    )
    previous = "submitted"
    for days, to_status in moves:
        ApplicationEvent.objects.create(
            application=application,
            actor_role="coordinator",
            from_status=previous,
            to_status=to_status,
            created_at=submitted + dt.timedelta(days=days),
        )
        previous = to_status
    return application
