import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_labels(response) -> list[str]:
    return [item["label"] for item in response.context["nav_items"]]


def test_a_visitor_sees_no_role_pages_in_the_navigation(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Institution team" not in nav_labels(response)
    assert "Sign in" in response.content.decode()


def test_an_applicant_sees_no_coordinator_or_admin_links(client, applicant):
    client.force_login(applicant)

    labels = nav_labels(client.get(reverse("home")))

    assert "Institution team" not in labels and "Admin" not in labels


def test_a_coordinator_sees_the_institution_team(client, coordinator):
    client.force_login(coordinator)

    assert "Institution team" in nav_labels(client.get(reverse("home")))


def test_an_admin_sees_the_admin_link_and_the_match_rounds(client, admin_user):
    client.force_login(admin_user)

    labels = nav_labels(client.get(reverse("home")))

    assert "Admin" in labels and "Match rounds" in labels


def test_an_applicant_gets_403_on_a_coordinator_page(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("placements:team"))

    assert response.status_code == 403
    assert "This page is not for your account" in response.content.decode()


def test_a_visitor_is_sent_to_log_in_from_a_coordinator_page(client):
    response = client.get(reverse("placements:team"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_coordinator_is_not_let_into_the_django_admin(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302  # to the admin's own login, never a 500


def test_a_coordinator_adds_a_colleague_who_has_signed_up(client, coordinator, institution, other_applicant):
    client.force_login(coordinator)

    response = client.post(reverse("placements:team_add", args=[institution.id]), {"email": other_applicant.email})

    assert response.status_code == 302
    other_applicant.refresh_from_db()
    assert institution.id in other_applicant.coordinator_institution_ids


def test_adding_an_unknown_address_says_why_and_keeps_it(client, coordinator, institution):
    client.force_login(coordinator)

    response = client.post(reverse("placements:team_add", args=[institution.id]), {"email": "new.doc@example.org"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ask them to sign up first" in html
    assert 'value="new.doc@example.org"' in html


def test_a_coordinator_cannot_add_people_to_another_institution(client, other_coordinator, institution, applicant):
    client.force_login(other_coordinator)

    response = client.post(reverse("placements:team_add", args=[institution.id]), {"email": applicant.email})

    assert response.status_code == 404
    assert not applicant.memberships.exists()
