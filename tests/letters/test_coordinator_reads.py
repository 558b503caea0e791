"""Coordinators read the letters assigned to applications to their institution, and no others; each read is recorded."""

import pytest
from django.urls import reverse

from letters.models import LetterAccess, LetterAssignment
from tests.applications.factories import ApplicationFactory, DraftFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(applicant, institution):
    return ApplicationFactory(
        applicant=applicant, session=SessionFactory(listing=ListingFactory(institution=institution))
    )


def assign(letter_request, application):
    LetterAssignment.objects.create(letter_request=letter_request, application=application)
    return letter_request


def read_url(application, letter_request):
    return reverse("letters:packet_read", args=[application.pk, letter_request.pk])


def test_the_coordinator_reads_an_assigned_letter_and_the_read_is_recorded(
    client, applicant, coordinator, application, uploaded
):
    letter_request = assign(uploaded(applicant).letter_request, application)
    client.force_login(coordinator)

    response = client.get(read_url(application, letter_request))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    access = LetterAccess.objects.get()
    assert (access.reader, access.letter, access.application) == (
        coordinator,
        letter_request.current_letter,
        application,
    )


def test_a_waived_letter_is_readable_by_the_programme(client, applicant, coordinator, application, uploaded):
    letter_request = assign(uploaded(applicant, waived=True).letter_request, application)
    client.force_login(coordinator)

    assert client.get(read_url(application, letter_request)).status_code == 200


def test_a_coordinator_of_another_institution_gets_a_404_and_nothing_is_recorded(
    client, applicant, other_coordinator, application, uploaded
):
    letter_request = assign(uploaded(applicant).letter_request, application)
    client.force_login(other_coordinator)

    assert client.get(read_url(application, letter_request)).status_code == 404
    assert client.get(reverse("letters:packet", args=[application.pk])).status_code == 404
    assert not LetterAccess.objects.exists()


def test_a_letter_not_assigned_to_the_application_is_a_404(client, applicant, coordinator, application, uploaded):
    assign(uploaded(applicant).letter_request, application)
    other = uploaded(applicant, writer_email="ksato@example.org", writer_name="Dr. Ken Sato").letter_request
    client.force_login(coordinator)

    packet = client.get(reverse("letters:packet", args=[application.pk])).content.decode()

    assert client.get(read_url(application, other)).status_code == 404
    assert "Dr. Ken Sato" not in packet


def test_an_unassigned_letter_is_never_shown(client, applicant, coordinator, application, uploaded):
    letter_request = assign(uploaded(applicant).letter_request, application)
    LetterAssignment.objects.filter(letter_request=letter_request).delete()
    client.force_login(coordinator)

    assert client.get(read_url(application, letter_request)).status_code == 404
    assert (
        letter_request.writer_name not in client.get(reverse("letters:packet", args=[application.pk])).content.decode()
    )


def test_a_draft_applications_letters_are_not_for_coordinators(client, applicant, coordinator, institution, uploaded):
    draft = DraftFactory(applicant=applicant, session=SessionFactory(listing=ListingFactory(institution=institution)))
    letter_request = assign(uploaded(applicant).letter_request, draft)
    client.force_login(coordinator)

    assert client.get(read_url(draft, letter_request)).status_code == 404


def test_applicants_cannot_use_the_coordinators_pages(client, applicant, application, uploaded):
    letter_request = assign(uploaded(applicant, waived=True).letter_request, application)
    client.force_login(applicant)

    assert client.get(read_url(application, letter_request)).status_code == 403
    assert client.get(reverse("letters:packet", args=[application.pk])).status_code == 403


def test_the_packet_lists_the_assigned_letters_with_their_confidentiality(
    client, applicant, coordinator, application, uploaded
):
    assign(uploaded(applicant, waived=True).letter_request, application)
    assign(
        uploaded(applicant, waived=False, writer_email="ksato@example.org", writer_name="Dr. Ken Sato").letter_request,
        application,
    )
    client.force_login(coordinator)

    html = client.get(reverse("letters:packet", args=[application.pk]), headers={"HX-Request": "true"}).content.decode()

    assert "Letter from Dr. Maria Delgado" in html and "Letter from Dr. Ken Sato" in html
    assert "confidential: the applicant waived" in html and "not confidential" in html
    assert "<html" not in html  # the fragment alone, for the packet page


def test_the_packet_keeps_a_constant_number_of_queries(
    client, applicant, coordinator, application, django_assert_max_num_queries
):
    from tests.letters.factories import LetterRequestFactory
    from tests.letters.test_applicant_pages import with_letter

    client.force_login(coordinator)
    client.get(reverse("letters:packet", args=[application.pk]))  # the session's first request records it

    def packet_with(n: int) -> None:
        for _ in range(n):
            assign(with_letter(LetterRequestFactory(applicant=applicant)), application)
        # 8 of these are the session, the user, usersessions and the MFA check.
        with django_assert_max_num_queries(11):
            assert client.get(reverse("letters:packet", args=[application.pk])).status_code == 200

    packet_with(1)
    packet_with(10)


def test_admins_see_who_read_which_letter(client, applicant, coordinator, admin_user, application, uploaded):
    letter_request = assign(uploaded(applicant).letter_request, application)
    client.force_login(coordinator)
    client.get(read_url(application, letter_request))
    client.force_login(admin_user)

    html = client.get(reverse("admin:letters_letteraccess_changelist")).content.decode()

    assert coordinator.email in html and letter_request.writer_name in html


def test_each_read_goes_to_the_audit_log(client, applicant, coordinator, application, uploaded):
    from audit.models import AuditEvent

    letter_request = assign(uploaded(applicant).letter_request, application)
    client.force_login(coordinator)

    client.get(read_url(application, letter_request))
    client.get(read_url(application, letter_request))

    events = AuditEvent.objects.filter(action="letter.viewed", actor=coordinator)
    assert events.count() == 2
    assert events.first().object_id == str(letter_request.pk)
