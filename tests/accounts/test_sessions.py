"""Sessions: a new one on login, listed for their owner, ended one by one, everywhere, on a password
change and on deactivation."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from accounts.services import user_deactivate
from audit.models import AuditEvent
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return client.get(reverse("account_email")).status_code == 200


@pytest.fixture
def two_browsers(applicant, log_in):
    phone, laptop = Client(HTTP_USER_AGENT="Phone"), Client(HTTP_USER_AGENT="Laptop")
    log_in(phone, applicant)
    log_in(laptop, applicant)
    assert signed_in(phone) and signed_in(laptop)
    return phone, laptop


def test_logging_in_starts_a_new_session(client, applicant, log_in):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key

    log_in(client, applicant)

    assert client.session.session_key != before


def test_session_cookies_are_secure_httponly_and_samesite(client, applicant, log_in, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True

    response = log_in(client, applicant)

    # Logging in also rotates the CSRF token, so both cookies are set by this response.
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = response.cookies[name]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax", name


def test_a_user_sees_each_of_their_sessions(two_browsers, applicant, other_applicant, log_in):
    phone, _ = two_browsers
    log_in(Client(HTTP_USER_AGENT="Someone else's browser"), other_applicant)

    html = phone.get(reverse("usersessions_list")).content.decode()

    assert "Phone" in html and "Laptop" in html
    assert "Someone else" not in html


def test_ending_one_session_signs_that_browser_out(two_browsers, applicant):
    phone, laptop = two_browsers
    laptop_session = UserSession.objects.get(user=applicant, user_agent="Laptop")

    response = phone.post(reverse("accounts:session_end", args=[laptop_session.id]))

    assert response.status_code == 302
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_ending_this_browsers_own_session_signs_it_out(two_browsers, applicant):
    phone, laptop = two_browsers
    phone_session = UserSession.objects.get(user=applicant, user_agent="Phone")

    response = phone.post(reverse("accounts:session_end", args=[phone_session.id]))

    assert response.url == reverse("account_login")
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_nobody_can_end_another_users_session(two_browsers, applicant, other_applicant, client, log_in):
    phone, _ = two_browsers
    log_in(client, other_applicant)
    phone_session = UserSession.objects.get(user=applicant, user_agent="Phone")

    response = client.post(reverse("accounts:session_end", args=[phone_session.id]))

    assert response.status_code == 404
    assert signed_in(phone)


def test_ending_a_session_needs_a_post(two_browsers, applicant):
    phone, laptop = two_browsers
    laptop_session = UserSession.objects.get(user=applicant, user_agent="Laptop")

    assert phone.get(reverse("accounts:session_end", args=[laptop_session.id])).status_code == 405
    assert signed_in(laptop)


def test_logging_out_everywhere_ends_every_session(two_browsers, applicant):
    phone, laptop = two_browsers

    response = phone.post(reverse("accounts:logout_everywhere"))

    assert response.url == reverse("account_login")
    assert not signed_in(phone) and not signed_in(laptop)
    assert not UserSession.objects.filter(user=applicant).exists()


def test_changing_the_password_ends_the_other_sessions_but_keeps_this_one(two_browsers, applicant):
    phone, laptop = two_browsers
    new = "Another-rotation-2028"

    response = phone.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )

    assert response.status_code == 302
    assert signed_in(phone)
    assert not signed_in(laptop)
    assert list(UserSession.objects.filter(user=applicant).values_list("user_agent", flat=True)) == ["Phone"]


def test_resetting_the_password_ends_every_session(two_browsers, applicant, client, deliver):
    import re

    from django.core import mail

    phone, laptop = two_browsers
    client.post(reverse("account_reset_password"), {"email": applicant.email})
    deliver()
    link = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    form_url = client.get(link).url  # allauth moves the key out of the URL, into the session
    new = "Another-rotation-2028"

    response = client.post(form_url, {"password1": new, "password2": new})

    assert response.status_code == 302
    assert not signed_in(phone) and not signed_in(laptop)
    assert AuditEvent.objects.filter(action="password.reset", actor=applicant).exists()


def test_deactivating_a_user_ends_all_their_sessions_and_is_audited(two_browsers, applicant, admin_user):
    phone, laptop = two_browsers

    user_deactivate(user=applicant, actor=admin_user)

    assert not signed_in(phone) and not signed_in(laptop)
    assert not UserSession.objects.filter(user=applicant).exists()
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.actor == admin_user and event.object_id == str(applicant.pk)


def test_an_admin_unticking_active_signs_the_user_out(two_browsers, applicant, admin_user, client):
    phone, _ = two_browsers
    client.force_login(admin_user)
    change_url = reverse("admin:accounts_user_change", args=[applicant.pk])
    form = {
        "email": applicant.email,
        "full_name": applicant.full_name,
        "is_active": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }

    response = client.post(change_url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    applicant.refresh_from_db()
    assert not applicant.is_active
    assert not signed_in(phone)
