"""Matches for you reads its candidates tier by tier (chosen specialties, preferred states, the rest):
the same sessions in the same order as one query ordered by relevance, start date and id."""

import datetime as dt
import random

import pytest
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from applicants import ranking
from applicants.eligibility import filter_eligible_sessions
from placements.models import Session, Specialty
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

STATES = ["NY", "CA", "TX", "OH"]


def one_query_ranking(profile, now, limit):
    """The ranking as it was written before the tiers: one top-N over every open eligible session."""
    specialty_ids = set(profile.specialties_of_interest.values_list("pk", flat=True))
    relevance = Value(0)
    if specialty_ids:
        relevance = relevance + Case(
            When(
                Q(listing__specialty_id__in=specialty_ids) | Q(listing__specialty__parent_id__in=specialty_ids), then=2
            ),
            default=0,
            output_field=IntegerField(),
        )
    if profile.preferred_states:
        relevance = relevance + Case(
            When(listing__institution__state__in=profile.preferred_states, then=1),
            default=0,
            output_field=IntegerField(),
        )
    sessions = (
        Session.objects.published()
        .active()
        .filter(applications_close_at__gt=now, start_date__gt=timezone.localdate(now))
        .alias(relevance=relevance)
        .order_by("-relevance", "start_date", "pk")
    )
    return list(filter_eligible_sessions(sessions, profile).values_list("pk", flat=True)[:limit])


@pytest.fixture
def catalogue():
    """Sessions across parent specialties and their subspecialties, states, rules, dates (ties included)."""
    rng = random.Random(10)
    parents = list(Specialty.objects.filter(parent__isnull=True, subspecialties__isnull=False).distinct()[:2])
    children = [child for parent in parents for child in parent.subspecialties.all()[:2]]
    others = list(Specialty.objects.filter(parent__isnull=True, subspecialties__isnull=True)[:2])
    institutions = [InstitutionFactory(state=state) for state in STATES for _ in range(2)]
    start = timezone.localdate() + dt.timedelta(days=60)
    for _ in range(45):
        listing = ListingFactory(
            specialty=rng.choice(parents + children + others),
            institution=rng.choice(institutions),
            max_years_since_graduation=rng.choice([None, None, 2, 6]),
            requires_step1_pass=rng.random() < 0.2,
            visas=rng.sample(["b1b2", "j1", "h1b"], rng.randint(0, 2)),
        )
        for _ in range(rng.randint(1, 3)):
            # Few distinct dates, so that ties on the start date are broken by the id.
            SessionFactory(listing=listing, start_date=start + dt.timedelta(days=30 * rng.randint(0, 14)))
    return parents, children, others


@pytest.mark.parametrize("limit", [1, 5, 12, 30, 200])
def test_the_tiers_give_the_one_query_ranking(catalogue, monkeypatch, limit):
    parents, children, others = catalogue
    monkeypatch.setattr(ranking, "CANDIDATE_LIMIT", limit)
    now = timezone.now()
    rng = random.Random(limit)
    choices = [[], [parents[0]], [children[0]], [parents[0], children[0]], [parents[1], others[0]], others]
    checked = 0
    for interests in choices:
        for states in ([], ["NY"], ["CA", "TX"]):
            profile = ApplicantProfileFactory(
                preferred_states=states,
                graduation_year=timezone.localdate().year - rng.choice([1, 4, 9]),
                planned_visa=rng.choice(["j1", "h1b", "us"]),
                step1_result=rng.choice(["pass", "fail"]),
            )
            profile.specialties_of_interest.set(interests)
            specialty_ids, related_ids = ranking._specialties(profile)
            assert specialty_ids == {s.pk for s in interests}
            expected = one_query_ranking(profile, now, limit)
            assert ranking._candidate_ids(profile, related_ids, now) == expected
            checked += bool(expected)
    assert checked > 10  # most profiles have candidates: the comparison is not vacuous
