"""Matches for you: hand-made cases where the right order is obvious."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.ranking import matches_for
from placements.models import DocumentRequirement, Listing, Specialty
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

START = timezone.localdate() + dt.timedelta(days=120)


@pytest.fixture
def cardiology():
    return Specialty.objects.get(name="Cardiovascular Disease")


@pytest.fixture
def profile(cardiology):
    profile = ApplicantProfileFactory(
        preferred_states=["NY"],
        budget_usd=Decimal("3000"),
        hands_on_preference="hands_on",
        available_from=START - dt.timedelta(days=10),
        available_until=START + dt.timedelta(days=60),
    )
    profile.specialties_of_interest.add(cardiology)
    return profile


def offer(title, *, specialty=None, state="TX", fee="2500", level=Listing.HandsOn.HANDS_ON, start=START, **fields):
    listing = ListingFactory(
        title=title,
        institution=InstitutionFactory(state=state),
        programme_fee=Decimal(fee),
        application_fee=Decimal("0"),
        hands_on_level=level,
        **({"specialty": specialty} if specialty else {}),
        **fields,
    )
    return SessionFactory(listing=listing, start_date=start)


def titles(found):
    return [m.listing.title for m in found.matches]


def test_the_listing_that_fits_on_every_count_comes_first(profile, cardiology):
    offer("Everything fits", specialty=cardiology, state="NY")
    offer("Right specialty only", specialty=cardiology, state="TX", fee="9000", level=Listing.HandsOn.OBSERVATIONAL)
    offer("Right state only", state="NY", fee="9000", level=Listing.HandsOn.OBSERVATIONAL)
    offer("Nothing fits", fee="9000", level=Listing.HandsOn.OBSERVATIONAL, start=START + dt.timedelta(days=200))

    found = matches_for(profile)

    assert titles(found) == ["Everything fits", "Right specialty only", "Right state only", "Nothing fits"]
    best = found.matches[0]
    assert best.score == 100 - 5  # everything except a deadline within three weeks
    assert "Cardiovascular Disease is one of your specialties." in best.why
    assert "In New York, a state you prefer." in best.why
    assert "Costs $2,500 in all, within your $3,000 budget." in best.why


def test_ineligible_sessions_never_appear_however_well_they_fit(profile, cardiology):
    offer("Perfect but needs F-1", specialty=cardiology, state="NY", visas=["f1"])
    offer("Plain but open to J-1")

    assert titles(matches_for(profile)) == ["Plain but open to J-1"]


def test_sessions_needing_a_document_are_counted_with_what_to_add(profile):
    session = offer("Needs BLS")
    DocumentRequirement.objects.create(listing=session.listing, kind="bls")

    found = matches_for(profile)

    assert found.matches == [] and found.incomplete_count == 1
    assert found.most_asked == [("Upload your BLS certificate.", 1)]


def test_a_subspecialty_of_a_chosen_specialty_ranks_above_an_unrelated_one(cardiology):
    profile = ApplicantProfileFactory()
    internal_medicine = Specialty.objects.get(name="Internal Medicine")
    profile.specialties_of_interest.add(internal_medicine)
    offer("Psychiatry", specialty=Specialty.objects.get(name="Psychiatry"))
    offer("Cardiology", specialty=cardiology)
    offer("Internal medicine", specialty=internal_medicine)

    assert titles(matches_for(profile)) == ["Internal medicine", "Cardiology", "Psychiatry"]


def test_a_closing_deadline_breaks_an_otherwise_equal_tie(profile):
    later = offer("Closes later", start=START)
    sooner = offer("Closes soon", start=START + dt.timedelta(days=1))
    sooner.applications_close_at = timezone.now() + dt.timedelta(days=5)
    sooner.save()
    assert later.applications_close_at > sooner.applications_close_at

    found = matches_for(profile)

    assert titles(found) == ["Closes soon", "Closes later"]
    assert any(line.startswith("Applications close soon") for line in found.matches[0].why)


def test_closed_draft_and_past_sessions_are_left_out(profile):
    offer("Draft", status=Listing.Status.DRAFT)
    closed = offer("Closed")
    closed.applications_close_at = timezone.now() - dt.timedelta(hours=1)
    closed.applications_open_at = timezone.now() - dt.timedelta(days=20)
    closed.save()
    offer("Open")

    assert titles(matches_for(profile)) == ["Open"]


def test_the_order_is_the_same_every_time(profile):
    for n in range(6):
        offer(f"Twin {n}")

    assert titles(matches_for(profile)) == titles(matches_for(profile)) == [f"Twin {n}" for n in range(6)]


def test_the_matches_page_explains_each_match_with_bounded_queries(
    client, profile, cardiology, django_assert_max_num_queries
):
    client.force_login(profile.user)
    for size in (3, 30):
        for n in range(size):
            session = offer(f"Rotation {size}-{n}", specialty=cardiology)
            if n % 3 == 0:
                DocumentRequirement.objects.create(listing=session.listing, kind="cv")
        # Three tiers of candidates at most (specialties, states, the rest): 15 at most whatever the size.
        with django_assert_max_num_queries(15):
            response = client.get(reverse("applicants:matches"))
        html = response.content.decode()
        assert "Matches for you" in html and "Why this match" in html
        assert "Upload your CV." in html


def test_an_empty_profile_still_gets_matches_that_need_nothing(client, applicant):
    offer("Open to all", visas=[])
    client.force_login(applicant)

    html = client.get(reverse("applicants:matches")).content.decode()

    assert "Open to all" in html


def test_a_listing_with_several_sessions_appears_once_with_its_best_fitting_session(profile, cardiology):
    outside_window = offer("Cardiology, three cohorts", specialty=cardiology, start=START + dt.timedelta(days=200))
    for days in (0, 100):
        SessionFactory(listing=outside_window.listing, start_date=START + dt.timedelta(days=days))
    offer("Other")

    found = matches_for(profile)

    assert titles(found) == ["Cardiology, three cohorts", "Other"]
    assert found.matches[0].session.start_date == START  # the cohort inside the available dates


def test_when_there_are_more_sessions_than_candidates_the_relevant_ones_are_kept(profile, cardiology, monkeypatch):
    """Earlier, plainer sessions do not crowd out later ones in a chosen specialty or state."""
    from applicants import ranking

    monkeypatch.setattr(ranking, "CANDIDATE_LIMIT", 3)
    for n in range(4):
        offer(f"Plain {n}", start=START - dt.timedelta(days=50 - n))
    offer("Preferred state, later", state="NY", start=START + dt.timedelta(days=30))
    offer("Chosen specialty, latest", specialty=cardiology, start=START + dt.timedelta(days=40))
    offer("Both, latest of all", specialty=cardiology, state="NY", start=START + dt.timedelta(days=50))

    assert set(titles(matches_for(profile))) == {
        "Both, latest of all",
        "Chosen specialty, latest",
        "Preferred state, later",
    }
    monkeypatch.setattr(ranking, "CANDIDATE_LIMIT", 5)
    assert set(titles(matches_for(profile))) == {
        "Both, latest of all",
        "Chosen specialty, latest",
        "Preferred state, later",
        "Plain 0",
        "Plain 1",
    }


def test_what_is_asked_most_is_listed_by_count_then_by_its_words(profile):
    # Four documents asked once each and one asked twice: the ties in alphabetical order, the same
    # in every server process (their first-seen order came from a set).
    kinds = ["passport", "bls", "health_insurance", "cv"]
    first = offer("Needs four documents")
    for kind in kinds:
        DocumentRequirement.objects.create(listing=first.listing, kind=kind)
    second = offer("Needs insurance too")
    DocumentRequirement.objects.create(listing=second.listing, kind="health_insurance")

    asked = matches_for(profile).most_asked

    assert asked[0][1] == 2 and "insurance" in asked[0][0].lower()
    assert [count for _message, count in asked[1:]] == [1, 1]
    assert [message for message, _count in asked[1:]] == sorted(message for message, _count in asked[1:])


def test_the_single_step_that_unlocks_the_most_sessions_is_named_with_its_count(client, profile):
    for n in range(3):
        DocumentRequirement.objects.create(listing=offer(f"Needs BLS {n}").listing, kind="bls")
    needs_two = offer("Needs BLS and insurance")
    DocumentRequirement.objects.create(listing=needs_two.listing, kind="bls")
    DocumentRequirement.objects.create(listing=needs_two.listing, kind="health_insurance")
    DocumentRequirement.objects.create(listing=offer("Needs insurance").listing, kind="health_insurance")

    unlock = matches_for(profile).unlock

    # BLS alone completes three sessions; the one that also needs insurance is not counted.
    assert (unlock.label, unlock.count) == ("Upload your BLS certificate", 3)
    client.force_login(profile.user)
    page = client.get(reverse("applicants:matches")).content.decode()
    assert "Upload your BLS certificate: 3 more sessions" in page
    assert reverse("applicants:document_upload") + "?kind=bls" in page


def test_nothing_to_unlock_says_nothing(profile):
    offer("Open to everyone")
    assert matches_for(profile).unlock is None
