"""'Matches for you': published sessions an applicant is eligible for, ranked and explained.

Deterministic: the same profile and listings always give the same order (ties broken by start
date, cost, then id). Bounded: the database narrows to sessions that pass the hard rules and
orders them by a coarse relevance, the engine checks documents on at most CANDIDATE_LIMIT of
them, and the score is computed in Python from rows already loaded. The query count does not
grow with the number of listings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from placements.models import Listing, Session, Specialty

from .choices import HandsOnPreference
from .eligibility import EligibilityResult, Reason, evaluate_many, filter_eligible_sessions, format_date
from .models import ApplicantProfile

CANDIDATE_LIMIT = 200

# Points per criterion; the sum is the score shown (out of 100).
SPECIALTY, SUBSPECIALTY, STATE, BUDGET, NEAR_BUDGET, DATES, PARTIAL_DATES, HANDS_ON, DEADLINE = (
    30,
    20,
    20,
    20,
    5,
    15,
    5,
    10,
    5,
)
DEADLINE_SOON_DAYS = 21


@dataclass
class Match:
    session: Session
    score: int
    why: list[str]
    result: EligibilityResult

    @property
    def listing(self) -> Listing:
        return self.session.listing


@dataclass(frozen=True)
class Unlock:
    """The one step (a document, a profile section) that alone would make `count` more sessions match."""

    reason: Reason
    count: int

    @property
    def label(self) -> str:
        return self.reason.message.rstrip(".")


@dataclass
class Matches:
    matches: list[Match]  # at most one per listing
    # Sessions that pass every rule but need data or documents, with what is asked most often.
    incomplete_count: int = 0
    most_asked: list[tuple[str, int]] = field(default_factory=list)
    unlock: Unlock | None = None


def _step(reason: Reason) -> tuple[str, str]:
    # One step fixes every reason it names: all "upload your BLS" reasons are one upload.
    if reason.fix_document:
        return ("document", reason.fix_document)
    return ("section", reason.fix_section) if reason.fix_section else ("message", reason.message)


def _best_unlock(missing_per_session: list[list[Reason]]) -> Unlock | None:
    """The single step that, alone, completes the most sessions (those missing only that)."""
    counts: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], Reason] = {}
    for missing in missing_per_session:
        steps = {_step(r): r for r in missing}
        if len(steps) == 1:
            ((step, reason),) = steps.items()
            counts[step] += 1
            example.setdefault(step, reason)
    if not counts:
        return None
    step, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return Unlock(reason=example[step], count=count)


def _specialties(profile: ApplicantProfile) -> tuple[set[int], list[int]]:
    """The applicant's chosen specialties, and those with their subspecialties (one query)."""
    if not profile.pk:
        return set(), []
    through = ApplicantProfile.specialties_of_interest.through
    mine = through.objects.filter(applicantprofile_id=profile.pk)
    rows = (
        Specialty.objects.filter(Q(pk__in=mine.values("specialty_id")) | Q(parent_id__in=mine.values("specialty_id")))
        .annotate(chosen=Exists(mine.filter(specialty_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "chosen")
    )
    rows = list(rows)
    return {pk for pk, chosen in rows if chosen}, [pk for pk, _chosen in rows]


def _tiers(profile: ApplicantProfile, related_ids: list[int]) -> list[tuple[Q, Case | None]]:
    """The relevance order as a few index-narrowed slices, best first, each with its own order.

    Relevance is 2 for a listing in a chosen specialty (or one of its subspecialties) plus 1 for one
    in a preferred state. Sessions are ranked by relevance, then start date, then id; each slice
    below holds whole relevance values, so reading the slices in turn, each in (state match,
    start date, id) order, and stopping at CANDIDATE_LIMIT gives exactly that ranking. A slice is
    a query narrowed by an index (the listings of a few specialties, the institutions of a few
    states), so the general top-N over every open session runs only when the others fall short.
    """
    states = list(profile.preferred_states or [])
    in_state = Q(listing__institution__state__in=states) if states else None
    tiers: list[tuple[Q, Case | None]] = []
    if related_ids:
        # The chosen specialties and their subspecialties, as a list the planner can read the
        # listing's (status, specialty) index with: "the specialty or its parent is chosen".
        in_specialty = Q(listing__specialty_id__in=related_ids)
        state_first = (
            Case(When(in_state, then=1), default=0, output_field=IntegerField()) if in_state is not None else None
        )
        tiers.append((in_specialty, state_first))  # relevance 3 then 2
        if in_state is not None:
            tiers.append((in_state & ~in_specialty, None))  # 1
        tiers.append((~in_specialty & ~in_state if in_state is not None else ~in_specialty, None))  # 0
    elif in_state is not None:
        tiers.append((in_state, None))  # 1
        tiers.append((~in_state, None))  # 0
    else:
        tiers.append((Q(), None))  # 0 for all
    return tiers


def _candidate_ids(profile: ApplicantProfile, related_ids: list[int], now: dt.datetime) -> list[int]:
    """The CANDIDATE_LIMIT most relevant open sessions whose hard rules this profile meets, in order."""
    open_sessions = filter_eligible_sessions(
        Session.objects.published()
        .active()
        .filter(applications_close_at__gt=now, start_date__gt=timezone.localdate(now)),
        profile,
    )
    ids: list[int] = []
    tiers = _tiers(profile, related_ids)
    for n, (where, state_first) in enumerate(tiers):
        sessions = open_sessions.filter(where)
        if state_first is not None:
            sessions = sessions.alias(state_first=state_first).order_by("-state_first", "start_date", "pk")
        elif n and n == len(tiers) - 1:
            # The rest, read only because the chosen specialties and states fell short: a sign that
            # this profile is eligible for few listings. Walking every open session by start date
            # (the plan the start_date index invites) then probes tens of thousands of listings for
            # a few hundred hits; reading the eligible listings first and sorting their sessions
            # reads only those. COALESCE(start_date, start_date) orders the same and keeps the
            # planner off that index.
            sessions = sessions.order_by(Coalesce("start_date", "start_date"), "pk")
        else:
            sessions = sessions.order_by("start_date", "pk")
        ids += sessions.values_list("pk", flat=True)[: CANDIDATE_LIMIT - len(ids)]
        if len(ids) >= CANDIDATE_LIMIT:
            break
    return ids


# What the matches page and the engine read of a candidate's listing; the rest (description, refund
# terms, search document, provenance...) stays in the database.
LISTING_FIELDS = (
    "title",
    "hands_on_level",
    "programme_fee",
    "application_fee",
    "deposit",
    "other_costs",
    "status",
    "accepts_students",
    "accepts_graduates",
    "requires_ecfmg_certification",
    "requires_step1_pass",
    "min_step2_score",
    "max_years_since_graduation",
    "english_test",
    "accepted_visa_codes",
)


def _candidates(profile: ApplicantProfile, related_ids: list[int], now: dt.datetime) -> list[Session]:
    # Two steps: the ranking reads only narrow rows (id, start, relevance); the CANDIDATE_LIMIT kept
    # are then read with what their cards show and the engine judges.
    ids = _candidate_ids(profile, related_ids, now)
    found = (
        Session.objects.filter(pk__in=ids)
        .select_related("listing__institution", "listing__specialty")
        .only(
            "listing_id",
            "start_date",
            "end_date",
            "applications_open_at",
            "applications_close_at",
            "is_archived",
            *(f"listing__{name}" for name in LISTING_FIELDS),
            "listing__institution__name",
            "listing__institution__city",
            "listing__institution__state",
            "listing__specialty__name",
            "listing__specialty__parent_id",
        )
        .in_bulk()
    )
    return [found[pk] for pk in ids]


def _score(
    profile: ApplicantProfile, specialty_ids: set[int], session: Session, today: dt.date
) -> tuple[int, list[str]]:
    listing = session.listing
    score, why = 0, []
    if listing.specialty_id in specialty_ids:
        score += SPECIALTY
        why.append(_("%(specialty)s is one of your specialties.") % {"specialty": listing.specialty.name})
    elif listing.specialty.parent_id in specialty_ids:
        score += SUBSPECIALTY
        why.append(_("%(specialty)s is part of a specialty you chose.") % {"specialty": listing.specialty.name})
    state = listing.institution.state
    if state in profile.preferred_states:
        score += STATE
        why.append(_("In %(state)s, a state you prefer.") % {"state": listing.institution.get_state_display()})
    if profile.budget_usd is not None:
        cost = listing.total_cost
        if cost <= profile.budget_usd:
            score += BUDGET
            why.append(
                _("Costs $%(cost)s in all, within your $%(budget)s budget.")
                % {"cost": f"{cost:,.0f}", "budget": f"{profile.budget_usd:,.0f}"}
            )
        elif cost <= profile.budget_usd * Decimal("1.1"):
            score += NEAR_BUDGET
            why.append(_("Costs $%(cost)s in all, just over your budget.") % {"cost": f"{cost:,.0f}"})
    if profile.available_from and profile.available_until:
        if profile.available_from <= session.start_date and session.end_date <= profile.available_until:
            score += DATES
            why.append(
                _("Runs %(start)s to %(end)s, inside your available dates.")
                % {"start": format_date(session.start_date), "end": format_date(session.end_date)}
            )
        elif session.start_date <= profile.available_until and session.end_date >= profile.available_from:
            score += PARTIAL_DATES
            why.append(_("Overlaps your available dates."))
    preference = profile.hands_on_preference
    if preference in (HandsOnPreference.HANDS_ON, HandsOnPreference.OBSERVATIONAL):
        if listing.hands_on_level == preference:
            score += HANDS_ON
            why.append(_("%(level)s, as you prefer.") % {"level": listing.get_hands_on_level_display()})
        elif listing.hands_on_level == Listing.HandsOn.MIXED:
            score += HANDS_ON // 2
            why.append(_("Part hands-on, part observational."))
    days_left = (timezone.localdate(session.applications_close_at) - today).days
    if days_left <= DEADLINE_SOON_DAYS:
        score += DEADLINE
        why.append(
            _("Applications close soon: %(date)s.")
            % {"date": format_date(timezone.localdate(session.applications_close_at))}
        )
    return score, why


def matches_for(profile: ApplicantProfile, *, limit: int = 20, now: dt.datetime | None = None) -> Matches:
    """The best `limit` eligible sessions for this applicant, highest score first, each explained."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    specialty_ids, related_ids = _specialties(profile)
    candidates = _candidates(profile, related_ids, now)
    # The visas from the listing's own text (read with it), not the m2m table: as the SQL filter did.
    results = evaluate_many(profile, candidates, visas_from_row=True)
    ranked: list[Match] = []
    asked: Counter[str] = Counter()
    incomplete = 0
    missing_per_session: list[list[Reason]] = []
    for session in candidates:
        result = results[session.pk]
        if result.eligible:
            score, why = _score(profile, specialty_ids, session, today)
            ranked.append(Match(session=session, score=score, why=why, result=result))
        elif result.status == "incomplete":
            incomplete += 1
            asked.update({r.message for r in result.missing})
            missing_per_session.append(result.missing)
    ranked.sort(key=lambda m: (-m.score, m.session.start_date, m.listing.total_cost, m.session.pk))
    # One entry per listing, its best session: three cohorts of one rotation are one choice to make.
    best: dict[int, Match] = {}
    for match in ranked:
        best.setdefault(match.listing.pk, match)
    # Ties by the words: Counter.most_common keeps first-seen order, which came from a set, so it changed
    # from one server process to the next (hash randomisation).
    most_asked = sorted(asked.items(), key=lambda item: (-item[1], item[0]))[:3]
    return Matches(
        matches=list(best.values())[:limit],
        incomplete_count=incomplete,
        most_asked=most_asked,
        unlock=_best_unlock(missing_per_session),
    )
