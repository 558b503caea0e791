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

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from placements.models import Listing, Session

from .choices import HandsOnPreference
from .eligibility import LISTING_PREFETCH, EligibilityResult, evaluate_many, filter_eligible_sessions, format_date
from .models import ApplicantProfile

CANDIDATE_LIMIT = 200

# Points per criterion; the sum is the score shown (out of 100).
SPECIALTY, SUBSPECIALTY, STATE, BUDGET, NEAR_BUDGET, DATES, PARTIAL_DATES, HANDS_ON, DEADLINE = 30, 20, 20, 20, 5, 15, 5, 10, 5
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


@dataclass
class Matches:
    matches: list[Match]  # at most one per listing
    # Sessions that pass every rule but need data or documents, with what is asked most often.
    incomplete_count: int = 0
    most_asked: list[tuple[str, int]] = field(default_factory=list)


def _candidates(profile: ApplicantProfile, specialty_ids: set[int], now: dt.datetime) -> list[Session]:
    relevance = Value(0)
    if specialty_ids:
        relevance = relevance + Case(
            When(Q(listing__specialty_id__in=specialty_ids) | Q(listing__specialty__parent_id__in=specialty_ids), then=2),
            default=0, output_field=IntegerField(),
        )
    if profile.preferred_states:
        relevance = relevance + Case(
            When(listing__institution__state__in=profile.preferred_states, then=1), default=0, output_field=IntegerField()
        )
    sessions = (
        Session.objects.published().active()
        .filter(applications_close_at__gt=now, start_date__gt=timezone.localdate(now))
        .alias(relevance=relevance)
        .order_by("-relevance", "start_date", "pk")
    )
    # Two steps: ordering tens of thousands of eligible sessions keeps only narrow rows (id, relevance,
    # start) in PostgreSQL's top-N sort; the 200 kept are then read whole, with what their cards show.
    ids = list(filter_eligible_sessions(sessions, profile).values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    found = (
        Session.objects.filter(pk__in=ids)
        .select_related("listing__institution", "listing__specialty")
        .defer("listing__description", "listing__refund_terms", "listing__search_vector")  # not shown here
        .prefetch_related(*(f"listing__{name}" for name in LISTING_PREFETCH))
        .in_bulk()
    )
    return [found[pk] for pk in ids]


def _score(profile: ApplicantProfile, specialty_ids: set[int], session: Session, today: dt.date) -> tuple[int, list[str]]:
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
            why.append(_("Costs $%(cost)s in all, within your $%(budget)s budget.") % {"cost": f"{cost:,.0f}", "budget": f"{profile.budget_usd:,.0f}"})
        elif cost <= profile.budget_usd * Decimal("1.1"):
            score += NEAR_BUDGET
            why.append(_("Costs $%(cost)s in all, just over your budget.") % {"cost": f"{cost:,.0f}"})
    if profile.available_from and profile.available_until:
        if profile.available_from <= session.start_date and session.end_date <= profile.available_until:
            score += DATES
            why.append(_("Runs %(start)s to %(end)s, inside your available dates.") % {"start": format_date(session.start_date), "end": format_date(session.end_date)})
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
        why.append(_("Applications close soon: %(date)s.") % {"date": format_date(timezone.localdate(session.applications_close_at))})
    return score, why


def matches_for(profile: ApplicantProfile, *, limit: int = 20, now: dt.datetime | None = None) -> Matches:
    """The best `limit` eligible sessions for this applicant, highest score first, each explained."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    specialty_ids = set(profile.specialties_of_interest.values_list("pk", flat=True)) if profile.pk else set()
    candidates = _candidates(profile, specialty_ids, now)
    results = evaluate_many(profile, candidates)
    ranked: list[Match] = []
    asked: Counter[str] = Counter()
    incomplete = 0
    for session in candidates:
        result = results[session.pk]
        if result.eligible:
            score, why = _score(profile, specialty_ids, session, today)
            ranked.append(Match(session=session, score=score, why=why, result=result))
        elif result.status == "incomplete":
            incomplete += 1
            asked.update({r.message for r in result.missing})
    ranked.sort(key=lambda m: (-m.score, m.session.start_date, m.listing.total_cost, m.session.pk))
    # One entry per listing, its best session: three cohorts of one rotation are one choice to make.
    best: dict[int, Match] = {}
    for match in ranked:
        best.setdefault(match.listing.pk, match)
    return Matches(matches=list(best.values())[:limit], incomplete_count=incomplete, most_asked=asked.most_common(3))
