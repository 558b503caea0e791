"""Saved searches, and the ledger of alerts they and an applicant's saved listings caused.

A saved search keeps the results page's query string (what its URL holds) and, derived from it when
saved (`alerts.services.saved_search_create`), one column per filter the matcher reads: the matcher
joins every saved search against the listings and sessions that appeared since its last run in one
statement (`alerts.matching`), so the filters must be columns, not a string parsed per search.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchQueryField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class SavedSearch(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    # The canonical query of the results page (SearchParams.querystring(), without sort and page).
    querystring = models.CharField(max_length=1000, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    paused = models.BooleanField(default=False)

    # The filters, as the matcher reads them ("" / None / False: not filtered on).
    text = models.CharField(max_length=200, blank=True)
    # One lexeme every listing matching `text` must contain (PostgreSQL; "" when there is none, e.g.
    # a query with "or"): the matcher's join key, so a text search is not tried against every listing.
    text_key = models.CharField(max_length=100, blank=True, editable=False)
    # The text as the results page parses it (websearch_to_tsquery; PostgreSQL, None elsewhere), kept
    # so that the matcher does not parse the same text again for every listing it is tried against.
    text_query = SearchQueryField(null=True, blank=True, editable=False)
    kind = models.CharField(max_length=20, blank=True)
    specialty = models.ForeignKey(
        "placements.Specialty", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=2, blank=True)
    hands_on = models.CharField(max_length=20, blank=True)
    visa = models.CharField(max_length=8, blank=True)
    min_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    max_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    fee_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    start_month = models.DateField(null=True, blank=True)
    open_now = models.BooleanField(default=False)
    no_ecfmg = models.BooleanField(default=False)
    lor = models.BooleanField(default=False)
    eligible_only = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Saved or last resumed: listings published before it were on the results page then, or were
    # published while the search was paused, and are not news.
    watching_since = models.DateTimeField(default=timezone.now, editable=False)
    # The last time the matcher found something new for it (to the day: alerts.matching).
    last_matched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="savedsearch_unique_owner_name"),
        ]
        # No index on the matcher's keys (state, specialty, text_key), on purpose: see alerts.matching.

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """Something an applicant is told once: the ledger's unique key makes it exactly once per
    applicant, listing and event, whichever saved search or tick found it first."""

    class Event(models.TextChoices):
        NEW_LISTING = "new_listing", _("New listing")
        NEW_SESSION = "new_session", _("New session")
        WINDOW_OPEN = "window_open", _("Applications open")
        SEATS_FREE = "seats_free", _("Seats free")

    # No index of its own: the unique key below starts with it (one index less to write per alert).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts", db_index=False)
    listing = models.ForeignKey("placements.Listing", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("placements.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    # What makes the event unique for the listing: the session's id (new session, seats free), the
    # opening day (window open), "" (new listing).
    event_key = models.CharField(max_length=40, blank=True, default="")
    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    # Copied from the saved search when found: immediate alerts are one message each, the others wait
    # for their digest (alerts.reminders). Window and seat alerts are always immediate.
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    created_at = models.DateTimeField(default=timezone.now)
    # The local day of the digest that carries it (daily or weekly), stamped once when that digest
    # is found due; None: waiting for its digest (or immediate).
    digest_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "listing", "event", "event_key"], name="alert_once_per_event"),
        ]
        indexes = [
            # The reminder sources read the alerts of a frequency created since a moment.
            models.Index(fields=["frequency", "created_at"], name="alert_frequency_created"),
            models.Index(fields=["frequency", "digest_due", "owner"], name="alert_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} for {self.owner_id}: listing {self.listing_id}"


class MatchCursor(models.Model):
    """Where each matcher stopped: the next run looks at what appeared after it (with an overlap
    that the ledger's unique key makes harmless)."""

    name = models.CharField(max_length=40, primary_key=True)
    upto = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    # The highest id seen by the previous run: the next run still looks above `last_id`, so a row
    # whose id was taken before a run but committed after it is seen by the run after.
    previous_id = models.BigIntegerField(default=0)
    # `upto` of the run before: a session counts as new only on a listing published before the
    # first run that saw it (its sessions added before publication are part of the new listing).
    previous_upto = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class FullSession(models.Model):
    """The sessions found full by the last seat scan: one no longer full (and still open) has seats
    free. A snapshot rather than a hook on moves: it sees the state after the waitlist took its
    seats, and seats added by a coordinator, not only withdrawals and expiries."""

    session = models.OneToOneField("placements.Session", on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Session {self.session_id} full since {self.since:%Y-%m-%d %H:%M}"
