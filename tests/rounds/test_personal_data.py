"""An applicant's rank lists and match outcomes are in their "My data" export, and nobody else's."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse

from rounds.services import applicant_ranks_save, round_publish, session_ranks_save
from tests.applications.factories import ApplicationFactory
from tests.rounds.factories import RoundFactory


@pytest.fixture
def published(cardiology, medicine, applicant, other_applicant, coordinator, django_capture_on_commit_callbacks):
    """Alice ranks medicine over cardiology and gets medicine; Bob ranks only cardiology."""
    round = RoundFactory(sessions=[cardiology, medicine], name="Summer 2027 sub-internship match")
    alice_cardio = ApplicationFactory(applicant=applicant, session=cardiology)
    alice_medicine = ApplicationFactory(applicant=applicant, session=medicine)
    bob_cardio = ApplicationFactory(applicant=other_applicant, session=cardiology)
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[alice_medicine.pk, alice_cardio.pk])
    applicant_ranks_save(round_id=round.pk, applicant=other_applicant, application_ids=[bob_cardio.pk])
    session_ranks_save(
        round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[bob_cardio.pk, alice_cardio.pk]
    )
    session_ranks_save(
        round_id=round.pk, session_id=medicine.pk, actor=coordinator, application_ids=[alice_medicine.pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        round_publish(round_id=round.pk, now=round.publish_at + dt.timedelta(minutes=1))
    return {"alice_medicine": alice_medicine, "alice_cardio": alice_cardio, "bob_cardio": bob_cardio}


def _export(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("applicants:my_data_export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return {name: json.loads(archive.read(name)) for name in ("match_rank_lists.json", "match_outcomes.json")}


def test_the_export_holds_her_rank_list_in_order_and_what_the_round_gave_her(client, applicant, published):
    data = _export(client, applicant)

    assert [(r["position"], r["application_id"], r["listing"]) for r in data["match_rank_lists.json"]] == [
        (1, published["alice_medicine"].pk, "Internal Medicine Rotation"),
        (2, published["alice_cardio"].pk, "Cardiology Elective"),
    ]
    assert data["match_outcomes.json"] == [
        {
            "round": "Summer 2027 sub-internship match",
            "matched": True,
            "application_id": published["alice_medicine"].pk,
            "listing": "Internal Medicine Rotation",
        }
    ]


def test_the_export_holds_nothing_of_another_applicants_ranks(client, applicant, published):
    data = _export(client, applicant)

    ids = {r["application_id"] for r in data["match_rank_lists.json"]} | {
        o["application_id"] for o in data["match_outcomes.json"]
    }
    assert published["bob_cardio"].pk not in ids
