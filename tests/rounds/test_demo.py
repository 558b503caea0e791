from applications.demo import ensure_demo_applications
from placements.demo import ensure_demo_institutions
from rounds.demo import DEMO_ROUND, ensure_demo_round
from rounds.models import ApplicantRank, Round, SessionRank
from rounds.services import round_publish
from tests.placements.factories import ListingFactory, SessionFactory


def test_the_demo_round_is_open_ranked_through_the_services_and_seeded_once(db):
    institution = ensure_demo_institutions()[0]
    for _ in range(2):
        SessionFactory(listing=ListingFactory(institution=institution), seats=3)
    ensure_demo_applications()

    round = ensure_demo_round()
    assert ensure_demo_round() == round
    assert Round.objects.filter(name=DEMO_ROUND).count() == 1
    assert round.status == Round.Status.OPEN
    ranked = ApplicantRank.objects.filter(round=round).values("applicant").distinct().count()
    assert ranked >= 3  # the demo applicants still undecided
    assert SessionRank.objects.filter(round=round).count() >= 3
    # The demo is a real round: it publishes and matches somebody.
    assert round_publish(round_id=round.pk, now=round.publish_at).matched_count >= 1


def test_without_the_demo_queue_there_is_no_demo_round(db):
    ensure_demo_institutions()
    assert ensure_demo_round() is None
    assert not Round.objects.exists()
