"""Which time zone a page shows dates and deadlines in."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest


def viewer_timezone(request: HttpRequest) -> ZoneInfo:
    """The zone deadlines are shown in to whoever is looking.

    Rendered on the server (slow phones should not need JavaScript to read a deadline), so the zone
    cannot come from the browser: it is the applicant's profile time zone when they set one, else
    the portal's zone. Every page that shows a deadline follows.
    """
    name = ""
    user = getattr(request, "user", None)
    # Only applicants have a profile: asking a coordinator's would cost a query for nothing.
    if getattr(user, "is_authenticated", False) and user.is_applicant:
        try:
            name = user.applicant_profile.time_zone
        except ObjectDoesNotExist:
            pass
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)
