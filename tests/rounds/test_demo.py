import pytest
from django.core.management import call_command

from rounds.demo import DEMO_ROUND, PUBLISHED_ROUND
from rounds.models import ApplicantRank, Round, SessionRank
from rounds.services import round_publish

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_published_round_and_an_open_one_ranked_through_the_services():
    call_command("seed_demo", "--listings", "60", verbosity=0)
    call_command("seed_demo", "--listings", "60", verbosity=0)

    published = Round.objects.get(name=PUBLISHED_ROUND)
    assert published.status == Round.Status.PUBLISHED
    assert (published.matched_count, published.unmatched_count) == (2, 1)
    round = Round.objects.get(name=DEMO_ROUND)
    assert round.status == Round.Status.OPEN
    assert ApplicantRank.objects.filter(round=round).values("applicant").distinct().count() >= 3
    assert SessionRank.objects.filter(round=round).count() >= 3
    # The demo is a real round: it publishes and matches somebody.
    assert round_publish(round_id=round.pk, now=round.publish_at).matched_count >= 1


def test_without_the_demo_queue_there_is_no_demo_round():
    from placements.demo import ensure_demo_institutions
    from rounds.demo import ensure_demo_round

    ensure_demo_institutions()
    assert ensure_demo_round() is None
    assert not Round.objects.exists()
