"""Retention: purge the documents of applicants who have been inactive for too long.

Inactive since `cutoff`: not signed in since (never signed in: joined before it), no document
version uploaded since, and no activity another app registered (`register_activity`: applications
changed since the cutoff or still live; letters asked or received since). Staff and coordinators are
never candidates; a deactivated applicant is one like any other.

The purge deletes the applicant's documents (all versions, immunisation entries, links to finished
applications) and, once committed, the stored files; profile and account stay. Each purge is
audited ("documents.purged"); running it again finds nothing left to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from audit.services import audit_record
from placements.models import InstitutionMembership

from .models import Document, DocumentVersion
from .uploads import delete_stored

BATCH = 500


@dataclass(frozen=True)
class Activity:
    """Rows of an app above this one that keep their owner active: any row dated (`dates`) since
    the cutoff, or any row matching `live` whatever its dates."""

    queryset: Callable[[], QuerySet]
    owner: str
    dates: tuple[str, ...]
    live: Q | None = None


# applications and letters register theirs in their AppConfig.ready(): this app does not import them.
ACTIVITIES: list[Activity] = []


def register_activity(activity: Activity) -> None:
    ACTIVITIES.append(activity)


def retention_cutoff(*, now: dt.datetime | None = None, days: int | None = None) -> dt.datetime:
    days = settings.DOCUMENT_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - dt.timedelta(days=days)


def inactive_applicants(cutoff: dt.datetime) -> QuerySet:
    """Applicants with documents, inactive since `cutoff` (see the module's definition). One query."""
    user = OuterRef("pk")
    applicants = (
        get_user_model()
        .objects.filter(is_staff=False, date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .filter(Exists(Document.objects.filter(owner=user)))
        .exclude(Exists(InstitutionMembership.objects.filter(user=user)))
        .exclude(Exists(DocumentVersion.objects.filter(document__owner=user, uploaded_at__gte=cutoff)))
    )
    for activity in ACTIVITIES:
        recent = Q()
        for field in activity.dates:
            recent |= Q(**{f"{field}__gte": cutoff})
        if activity.live is not None:
            recent |= activity.live
        applicants = applicants.exclude(Exists(activity.queryset().filter(**{activity.owner: user}).filter(recent)))
    return applicants.order_by("pk")


# --- The warning before a purge (applicants.reminders sends it) ----- ----------------------

WARNING_DAYS = 30
PURGE_TASK = "applicants.tasks.purge_inactive_documents_task"


def purge_scheduled() -> bool:
    """True while an administrator has the weekly purge enabled (it is created disabled): only
    then is anyone told their documents will be deleted."""
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.filter(task=PURGE_TASK, enabled=True).exists()


def last_activity_expression() -> Greatest:
    """The latest of what keeps an applicant active (see the module's definition) as an expression
    on the user, never NULL (a user who did nothing was last active when they joined)."""
    user = OuterRef("pk")

    def latest(queryset: QuerySet, owner: str, field: str) -> Coalesce:
        newest = queryset.filter(**{owner: user}).order_by().values(owner).annotate(latest=Max(field)).values("latest")
        return Coalesce(Subquery(newest[:1], output_field=DateTimeField()), F("date_joined"))

    return Greatest(
        Coalesce(F("last_login"), F("date_joined")),
        latest(DocumentVersion.objects.all(), "document__owner", "uploaded_at"),
        *(latest(a.queryset(), a.owner, field) for a in ACTIVITIES for field in a.dates),
        output_field=DateTimeField(),
    )


def purge_warnings(
    now: dt.datetime, *, days: int | None = None, among: Iterable[int] | None = None
) -> Iterator[tuple[int, dt.datetime, str | None]]:
    """(applicant id, purge_from, time zone) of the applicants (all, or those `among` these ids)
    whose documents the purge will take within WARNING_DAYS if they stay inactive. `purge_from` is
    their last activity + the retention period: the first weekly run on or after it deletes. One query."""
    days = settings.DOCUMENT_RETENTION_DAYS if days is None else days
    applicants = inactive_applicants(retention_cutoff(now=now, days=days - min(WARNING_DAYS, days)))
    if among is not None:
        applicants = applicants.filter(pk__in=list(among))
    rows = applicants.annotate(last_active=last_activity_expression()).values_list(
        "pk", "last_active", "applicant_profile__time_zone"
    )
    for pk, last_active, zone_name in rows.iterator(chunk_size=5000):
        yield pk, last_active + dt.timedelta(days=days), zone_name


@dataclass(frozen=True)
class Candidate:
    pk: int
    email: str
    last_login: dt.datetime | None
    documents: int
    versions: int
    bytes: int


def candidates(cutoff: dt.datetime) -> Iterator[Candidate]:
    """What a purge would delete, applicant by applicant (for --dry-run). Two queries per batch."""
    for ids in _batches(cutoff):
        versions = dict(
            (row["document__owner"], row)
            for row in DocumentVersion.objects.filter(document__owner__in=ids)
            .values("document__owner")
            .annotate(n=Count("pk"), size=Sum("size"), documents=Count("document", distinct=True))
        )
        for pk, email, last_login in (
            get_user_model().objects.filter(pk__in=ids).order_by("pk").values_list("pk", "email", "last_login")
        ):
            row = versions.get(pk, {})
            yield Candidate(pk, email, last_login, row.get("documents", 0), row.get("n", 0), row.get("size") or 0)


@dataclass
class PurgeResult:
    applicants: int = 0
    documents: int = 0
    files: int = 0


def purge_inactive_documents(*, cutoff: dt.datetime, days: int) -> PurgeResult:
    """Purge, batch by batch, each batch in its own transaction; returns what was deleted."""
    result = PurgeResult()
    for ids in _batches(cutoff):
        _purge_batch(ids, cutoff=cutoff, days=days, result=result)
    return result


def _batches(cutoff: dt.datetime) -> Iterator[list[int]]:
    # Keyset pagination over the ids: each batch is one short query, however many applicants.
    last = 0
    while True:
        ids = list(inactive_applicants(cutoff).filter(pk__gt=last).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _purge_batch(ids: list[int], *, cutoff: dt.datetime, days: int, result: PurgeResult) -> None:
    with transaction.atomic():
        # Lock the accounts (uploads lock their owner too), then ask again: someone who signed
        # in or uploaded since the batch was listed is no longer inactive and keeps everything.
        users = list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        still = set(inactive_applicants(cutoff).filter(pk__in=ids).values_list("pk", flat=True))
        users = [u for u in users if u.pk in still]
        if not users:
            return
        rows = list(
            DocumentVersion.objects.filter(document__owner__in=users).values_list("document__owner", "document", "file")
        )
        documents = Document.objects.filter(owner__in=users)
        documents.update(current_version=None)
        documents.delete()
        per_user: dict[int, list[tuple[int, int, str]]] = {}
        for row in rows:
            per_user.setdefault(row[0], []).append(row)
        for user in users:
            mine = per_user.get(user.pk, [])
            audit_record(
                actor=None,
                action="documents.purged",
                obj=user,
                retention_days=days,
                inactive_since=cutoff,
                documents=len({row[1] for row in mine}),
                files=len(mine),
            )
        result.applicants += len(users)
        result.documents += len({row[1] for row in rows})
        result.files += len(rows)
        names = [row[2] for row in rows]
        transaction.on_commit(lambda: [delete_stored(name) for name in names])
