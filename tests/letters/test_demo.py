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
