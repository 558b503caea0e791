"""Login and password-reset limits: on the shared cache, per address, ending by themselves."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed login attempts. Try again later."


def fail_logins(client, email: str, times: int) -> None:
    for _ in range(times):
        response = client.post(reverse("account_login"), {"login": email, "password": "not-the-password"})
        assert "The email address and/or password you specified are not correct." in response.content.decode()


def without_csrf_token(response) -> str:
    return re.sub(r'"X-CSRFToken": "\w+"', "", response.content.decode())


def later(monkeypatch, seconds: int) -> None:
    """Move the rate limiter's clock forward instead of waiting."""
    now = time.time()
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: now + seconds)


def test_five_wrong_passwords_lock_the_address_even_against_the_right_one(client, applicant):
    fail_logins(client, applicant.email, 5)

    response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})

    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_by_itself(client, applicant, monkeypatch):
    fail_logins(client, applicant.email, 5)

    later(monkeypatch, 15 * 60 + 1)
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_lockout_is_still_on_before_the_window_ends(client, applicant, monkeypatch):
    fail_logins(client, applicant.email, 5)

    later(monkeypatch, 10 * 60)
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})

    assert LOCKED in response.content.decode()


def test_locking_one_address_does_not_lock_another(client, applicant, other_applicant):
    fail_logins(client, applicant.email, 5)

    response = client.post(reverse("account_login"), {"login": other_applicant.email, "password": PASSWORD})

    assert response.status_code == 302


def test_an_unknown_address_is_locked_the_same_way(client):
    # Same answers, same lockout: nobody learns which addresses have accounts.
    fail_logins(client, "nobody@example.org", 5)

    response = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": PASSWORD})

    assert LOCKED in response.content.decode()


def test_password_reset_mails_stop_after_three_requests_for_one_address(client, applicant, deliver):
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": applicant.email})

    deliver()
    assert len([m for m in mail.outbox if applicant.email in m.to]) == 3


def test_a_refused_reset_request_looks_the_same_for_known_and_unknown_addresses(client, applicant):
    for email in (applicant.email, "nobody@example.org"):
        for _ in range(3):
            client.post(reverse("account_reset_password"), {"email": email})

    known = client.post(reverse("account_reset_password"), {"email": applicant.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 429
    assert "Too many attempts" in known.content.decode()
    assert without_csrf_token(known) == without_csrf_token(unknown)


def test_signing_up_with_a_registered_address_answers_like_a_new_one(client, applicant):
    form = {"full_name": "Someone", "password1": "Rotation-2027!", "password2": "Rotation-2027!"}

    taken = client.post(reverse("account_signup"), {**form, "email": applicant.email})
    fresh = client.post(reverse("account_signup"), {**form, "email": "fresh.img@example.org"})

    assert taken.status_code == fresh.status_code == 302
    assert taken.url == fresh.url
