"""The profile: sections that keep what was typed, checks that explain, a meter naming the next step."""

import pytest
from django.urls import reverse

from applicants.completeness import completeness
from applicants.models import ApplicantProfile
from tests.applicants.factories import ApplicantProfileFactory, add_document

pytestmark = pytest.mark.django_db


def section_url(name):
    return reverse("applicants:profile_section", args=[name])


def test_a_new_applicant_sees_an_empty_meter_naming_the_first_step(applicant_client):
    html = applicant_client.get(reverse("applicants:profile")).content.decode()

    assert "Profile 0% complete" in html
    assert "Next most useful step:" in html
    assert f'href="{section_url("education")}">Say whether you are a student or a graduate' in html


def test_saving_a_section_moves_the_meter_and_names_the_next_step(applicant_client, applicant):
    response = applicant_client.post(
        section_url("education"),
        {
            "training_stage": "graduate",
            "medical_school": "University of Lagos",
            "medical_school_country": "Nigeria",
            "graduation_year": "2022",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "Medical school saved. Next: Add the visa you will hold for the placement." in html
    assert "Profile 0% complete" not in html
    assert ApplicantProfile.objects.get(user=applicant).graduation_year == 2022


@pytest.mark.parametrize("usmle_id", ["1234567", "123456789", "12345abc"])
def test_a_usmle_id_that_is_not_8_digits_is_refused_and_the_form_keeps_what_was_typed(applicant_client, usmle_id):
    response = applicant_client.post(
        section_url("exams"), {"usmle_id": usmle_id, "step2ck_score": "241", "ecfmg_status": "in_progress"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "exactly 8 digits" in html
    assert 'value="241"' in html and 'value="in_progress" selected' in html


def test_a_usmle_id_typed_with_a_dash_is_accepted(applicant_client, applicant):
    applicant_client.post(section_url("exams"), {"usmle_id": "1234-5678"})

    assert ApplicantProfile.objects.get(user=applicant).usmle_id == "12345678"


@pytest.mark.parametrize("score", ["0", "301"])
def test_a_step2ck_score_outside_1_to_300_is_refused(applicant_client, score):
    response = applicant_client.post(section_url("exams"), {"step2ck_score": score})

    assert response.status_code == 400 and "step2ck_score_error" in response.content.decode()


def test_preferences_save_specialties_states_and_a_window(applicant_client, applicant):
    from placements.models import Specialty

    cardiology = Specialty.objects.get(name="Cardiovascular Disease")
    applicant_client.post(
        section_url("preferences"),
        {
            "specialties_of_interest": [cardiology.pk],
            "preferred_states": ["NY", "IL"],
            "budget_usd": "3000",
            "available_from": "2027-03-01",
            "available_until": "2027-06-30",
            "hands_on_preference": "hands_on",
        },
    )

    profile = ApplicantProfile.objects.get(user=applicant)
    assert list(profile.specialties_of_interest.all()) == [cardiology]
    assert profile.preferred_states == ["NY", "IL"]


def test_a_window_that_ends_before_it_starts_is_refused(applicant_client):
    response = applicant_client.post(
        section_url("preferences"), {"available_from": "2027-06-01", "available_until": "2027-03-01"}
    )

    assert response.status_code == 400 and "The end of your window is before its start." in response.content.decode()


def test_about_you_saves_the_name_on_the_account_and_a_real_time_zone(applicant_client, applicant):
    response = applicant_client.post(section_url("about"), {"full_name": "Amina Okafor", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400

    applicant_client.post(section_url("about"), {"full_name": "Amina Okafor", "time_zone": "Africa/Lagos"})
    applicant.refresh_from_db()
    assert applicant.full_name == "Amina Okafor" and applicant.applicant_profile.time_zone == "Africa/Lagos"


def test_an_unknown_section_is_not_found(applicant_client):
    assert applicant_client.get(section_url("secrets")).status_code == 404


def test_a_coordinator_has_no_applicant_profile_page(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("applicants:profile")).status_code == 403
    assert client.post(section_url("visa"), {"planned_visa": "j1"}).status_code == 403
    assert not ApplicantProfile.objects.exists()


def test_the_meter_puts_a_missing_cv_before_preferences_once_exams_are_done():
    profile = ApplicantProfileFactory()
    from placements.models import Specialty

    profile.specialties_of_interest.add(Specialty.objects.first())

    meter = completeness(profile, set())
    assert meter.next_step.label == "Upload your CV"
    add_document(profile.user, "cv")
    assert completeness(profile, {"cv"}).next_step.label == "Upload your immunisation record"
    assert completeness(profile, {"cv"}).percent > meter.percent


def test_the_profile_page_shows_the_answers_in_words(client):
    profile = ApplicantProfileFactory(planned_visa="j1", ecfmg_status="in_progress")
    client.force_login(profile.user)

    html = client.get(reverse("applicants:profile")).content.decode()

    assert "J-1 exchange visitor" in html and "In progress" in html


@pytest.mark.parametrize("specialties", [1, 25])
def test_the_profile_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries, specialties):
    from placements.models import Specialty

    profile = ApplicantProfileFactory()
    profile.specialties_of_interest.set(Specialty.objects.all()[:specialties])
    for kind in ("cv", "passport", "bls"):
        add_document(profile.user, kind)
    client.force_login(profile.user)

    with django_assert_max_num_queries(10):
        assert client.get(reverse("applicants:profile")).status_code == 200
