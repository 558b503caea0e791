"""Two-factor authentication: offered to everyone, required for coordinators and admins."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from audit.models import AuditEvent
from tests.accounts.factories import PASSWORD, AdminFactory, UserFactory
from tests.accounts.mfa import give_totp, totp_code
from tests.placements.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_coordinator_without_an_authenticator_is_sent_to_set_one_up(client, log_in, start_totp_setup):
    coordinator = CoordinatorFactory(mfa=False)
    log_in(client, coordinator)

    response = client.get(reverse("placements:team"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert "set up two-factor authentication to continue" in client.get(reverse("mfa_index")).content.decode()
    secret = start_totp_setup(client)
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert client.get(reverse("placements:team")).status_code == 200


def test_an_admin_without_an_authenticator_cannot_open_the_django_admin(client):
    admin = AdminFactory(mfa=False)
    client.force_login(admin)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_coordinator_who_must_set_up_mfa_can_still_log_out(client):
    coordinator = CoordinatorFactory(mfa=False)
    client.force_login(coordinator)

    client.post(reverse("account_logout"))

    assert not signed_in(client)


def test_htmx_fragments_are_refused_without_navigating_the_page(client):
    # The bell loads by htmx on every page, the MFA set-up pages included: it must not pull the
    # user away from the form that sets MFA up.
    client.force_login(CoordinatorFactory(mfa=False))

    response = client.get(reverse("notifications:unread_count"), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert "HX-Redirect" not in response


def test_an_api_client_gets_a_readable_403(client):
    client.force_login(CoordinatorFactory(mfa=False))

    response = client.get("/api/v1/applications/", headers={"Accept": "application/json"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403
    assert response.json()["type"].endswith("/mfa-required")
    assert "Two-factor authentication is required" in response.json()["detail"]


def test_an_applicant_is_offered_mfa_but_not_forced(client, applicant):
    client.force_login(applicant)

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_an_applicant_turns_on_totp_and_then_needs_a_code_to_log_in(
    client, applicant, log_in, start_totp_setup, django_capture_on_commit_callbacks
):
    log_in(client, applicant)
    secret = start_totp_setup(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=applicant, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it, for a lost phone.
    assert Authenticator.objects.filter(user=applicant, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert AuditEvent.objects.filter(action="mfa.added", actor=applicant).exists()

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)


def test_the_password_alone_does_not_sign_in_a_coordinator(client, coordinator):
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert client.get(reverse("placements:team")).status_code == 302


def test_a_wrong_code_is_refused(client, coordinator):
    client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    wrong = f"{(int(totp_code(coordinator.totp_secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not signed_in(client)
    assert AuditEvent.objects.filter(action="mfa.failed", actor_label=coordinator.email).exists()


def test_the_right_code_signs_a_coordinator_in(client, coordinator, log_in):
    response = log_in(client, coordinator)

    assert response.status_code == 302
    assert signed_in(client)
    assert client.get(reverse("placements:team")).status_code == 200


def test_a_replayed_code_is_refused(client, coordinator, log_in):
    code = totp_code(coordinator.totp_secret)
    log_in(client, coordinator, code=code)
    assert signed_in(client)
    client.post(reverse("account_logout"))

    # Someone who watched the code being typed tries it again within its 30 seconds.
    client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, applicant, log_in):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    give_totp(applicant)
    recovery = RecoveryCodes.activate(applicant)
    code = recovery.get_unused_codes()[0]

    assert log_in(client, applicant, code=code).status_code == 302 and signed_in(client)
    client.post(reverse("account_logout"))
    log_in(client, applicant, code=code)
    assert not signed_in(client)


def test_the_django_admin_login_form_is_replaced_by_the_portal_login(client, admin_user):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_posting_a_password_to_the_django_admin_login_does_not_sign_in(client, admin_user):
    response = client.post(reverse("admin:login"), {"username": admin_user.email, "password": PASSWORD})

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not signed_in(client)


def test_an_admin_reaches_the_django_admin_only_after_the_second_factor(client, admin_user, log_in):
    client.post(reverse("account_login"), {"login": admin_user.email, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302

    log_in(client, admin_user)

    assert client.get(reverse("admin:index")).status_code == 200


def test_a_user_promoted_to_coordinator_must_set_up_mfa_at_the_next_request(client, institution):
    from placements.models import InstitutionMembership

    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200

    InstitutionMembership.objects.create(user=user, institution=institution)

    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")


def test_staff_set_up_two_factor_right_after_logging_in_without_typing_the_password_again(client, log_in):
    coordinator = CoordinatorFactory(mfa=False)
    log_in(client, coordinator)

    page = client.get(reverse("mfa_activate_totp"))

    assert page.status_code == 200  # not a "Confirm access" redirect
    html = page.content.decode()
    # While set-up is pending the menu offers only the account pages, and the bell (whose
    # request would be refused) is not on the page.
    assert reverse("applications:queue") not in html
    assert reverse("applications:coordinator_dashboard") not in html
    assert reverse("notifications:unread_count") not in html
    assert reverse("account_email") in html


def test_a_login_older_than_the_reauthentication_timeout_still_asks_for_the_password(client, log_in, monkeypatch):
    coordinator = CoordinatorFactory(mfa=False)
    log_in(client, coordinator)
    later = time.time() + 3600
    monkeypatch.setattr("accounts.adapter.time.time", lambda: later)
    monkeypatch.setattr("allauth.account.internal.flows.reauthentication.time.time", lambda: later)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))


def test_the_menu_comes_back_once_two_factor_is_set_up(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("applications:queue")).content.decode()
    assert reverse("applications:coordinator_dashboard") in html and reverse("notifications:unread_count") in html
