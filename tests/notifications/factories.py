import datetime as dt

import factory

from applicants.models import SavedListing
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory


def at(*args) -> dt.datetime:
    """A UTC instant: tests say when in UTC and comment what it is locally."""
    return dt.datetime(*args, tzinfo=dt.UTC)


def due_rows(source, now) -> dict:
    """What a source says is due at `now`: {(recipient id, subject id): due day}."""
    return {(row.recipient_id, row.subject_id): row.due for row in source(now)}


def applicant_in(zone: str, **kwargs):
    """An applicant whose profile says they read their mail in `zone`."""
    return ApplicantProfileFactory(time_zone=zone, **kwargs).user


def session_closing_at(closes_at: dt.datetime, **kwargs):
    """A published session whose application window closes at `closes_at` (aware)."""
    start = (closes_at + dt.timedelta(days=30)).date()
    return SessionFactory(
        applications_open_at=closes_at - dt.timedelta(days=60),
        applications_close_at=closes_at,
        start_date=start,
        end_date=start + dt.timedelta(days=27),
        **kwargs,
    )


def save_listing(user, listing):
    return SavedListing.objects.create(user=user, listing=listing)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "window_closing"
    title = factory.Sequence(lambda n: f"Applications for Internal Medicine Rotation {n} close soon")
    url = "/notifications/"


__all__ = [
    "ListingFactory",
    "SessionFactory",
    "NotificationFactory",
    "applicant_in",
    "session_closing_at",
    "save_listing",
]
