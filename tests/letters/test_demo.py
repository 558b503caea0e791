import pytest
from django.core.management import call_command

from letters.models import Letter, LetterRequest

pytestmark = pytest.mark.django_db


def test_demo_letters_load_twice_without_duplicates_and_the_uploaded_one_is_a_real_pdf():
    call_command("seed_demo")
    call_command("seed_demo")

    assert sorted(LetterRequest.objects.values_list("status", flat=True)) == ["declined", "opened", "uploaded"]
    letter = Letter.objects.get()
    with letter.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_each_demo_application_in_the_coordinators_queue_gets_a_letter_to_read():
    from letters.demo import ensure_demo_letters
    from letters.selectors import packet_letters
    from placements.demo import ensure_demo_institutions
    from tests.accounts.factories import UserFactory
    from tests.applications.factories import ApplicationFactory
    from tests.placements.factories import ListingFactory, SessionFactory

    institution = ensure_demo_institutions()[0]  # the demo coordinator's
    application = ApplicationFactory(
        applicant=UserFactory(email="priya.0@demo.usce-portal.org"),
        session=SessionFactory(listing=ListingFactory(institution=institution)),
    )

    ensure_demo_letters()
    ensure_demo_letters()

    letters = packet_letters(application)
    assert [r.writer_name for r in letters] == ["Dr. Helen Marsh"]
    with letters[0].current_letter.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
