"""Which time zone a page shows dates and deadlines in."""
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest


def viewer_timezone(request: HttpRequest) -> ZoneInfo:
    """The zone deadlines are shown in to whoever is looking.

    Rendered on the server (slow phones should not need JavaScript to read a deadline), so the zone
    cannot come from the browser. Today it is the portal's zone; the applicants app hooks its
    profile's time zone in here, and every page that shows a deadline follows.
    """
    return ZoneInfo(settings.TIME_ZONE)
