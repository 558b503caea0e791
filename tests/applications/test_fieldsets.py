"""Groups of checkboxes and radios are named: a fieldset whose legend is the question."""

import re

import pytest
from django.urls import reverse

from tests.applicants.factories import add_document
from tests.applications.factories import DraftFactory
from tests.letters.factories import LetterRequestFactory

pytestmark = pytest.mark.django_db


def _legends(html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", "", m).split()).rstrip(":")
        for m in re.findall(r"<fieldset[^>]*>\s*<legend[^>]*>(.*?)</legend>", html, re.S)
    ]


def _inputs_outside_fieldsets(html: str, kind: str) -> int:
    outside = re.sub(r"<fieldset.*?</fieldset>", "", html, flags=re.S)
    return len(re.findall(rf'<input type="{kind}"', outside))


def test_the_four_groups_have_legends(client, applicant, session):
    client.force_login(applicant)
    add_document(applicant, "cv")
    draft = DraftFactory(applicant=applicant, session=session)
    LetterRequestFactory(applicant=applicant)

    pages = {
        "preferences": client.get(reverse("applicants:profile_section", args=["preferences"])).content.decode(),
        "draft": client.get(reverse("applications:detail", args=[draft.pk])).content.decode(),
        "new letter": client.get(reverse("letters:new")).content.decode(),
        "assign": client.get(reverse("letters:assign", args=[draft.pk])).content.decode(),
    }

    assert {"Specialties of interest", "Preferred states"} <= set(_legends(pages["preferences"]))
    assert "Documents to send" in _legends(pages["draft"])
    assert "Do you waive your right to read this letter?" in _legends(pages["new letter"])
    assert "Letters to send with this application" in _legends(pages["assign"])
    for name, html in pages.items():
        assert _inputs_outside_fieldsets(html, "checkbox") == 0, name
        assert _inputs_outside_fieldsets(html, "radio") == 0, name
