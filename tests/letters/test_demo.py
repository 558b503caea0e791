import pytest
from django.core.management import call_command

from letters.models import Letter, LetterRequest

pytestmark = pytest.mark.django_db


def test_demo_letters_load_twice_without_duplicates_and_the_uploaded_one_is_a_real_pdf():
    call_command("seed_demo", "--listings", "60", verbosity=0)
    call_command("seed_demo", "--listings", "60", verbosity=0)

    own = LetterRequest.objects.filter(applicant__email="applicant@demo.usce-portal.org")
    assert sorted(own.values_list("status", flat=True)) == ["declined", "opened", "uploaded"]
    letter = Letter.objects.get(request__in=own)
    with letter.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
