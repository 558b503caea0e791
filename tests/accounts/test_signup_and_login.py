import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.img@example.org",
    "full_name": "Priya Raman",
    "password1": "Rotation-2027!",
    "password2": "Rotation-2027!",
}


def test_it_creates_an_applicant_and_sends_a_verification_email(client, deliver):
    response = client.post(reverse("account_signup"), SIGNUP)
    deliver()

    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.img@example.org")
    assert user.full_name == "Priya Raman"
    assert user.is_applicant
    assert len(mail.outbox) == 1
    assert "new.img@example.org" in mail.outbox[0].to
    assert re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body)


def test_bad_signup_keeps_what_was_typed_and_says_what_is_wrong(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else-entirely"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="new.img@example.org"' in html
    assert 'value="Priya Raman"' in html
    assert "You must type the same password each time." in html
    assert not get_user_model().objects.filter(email="new.img@example.org").exists()


def test_it_refuses_a_second_account_for_the_same_email(client, applicant):
    client.post(reverse("account_signup"), {**SIGNUP, "email": applicant.email.upper()})

    # allauth answers as if it worked (no enumeration) but creates no second account.
    assert get_user_model().objects.filter(email__iexact=applicant.email).count() == 1


def test_an_unverified_account_cannot_log_in(client):
    user = UserFactory(email="unverified@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_lets_the_user_log_in(client, deliver):
    client.post(reverse("account_signup"), SIGNUP)
    deliver()
    key = re.search(r"/accounts/confirm-email/(\S+)/", mail.outbox[0].body).group(1)

    client.post(reverse("account_confirm_email", args=[key]))
    response = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_wrong_password_is_refused_with_a_message(client, applicant):
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": "wrong"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, applicant):
    client.force_login(applicant)

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_unknown_addresses(client, applicant, deliver):
    known = client.post(reverse("account_reset_password"), {"email": applicant.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    deliver()
    reset_mails = [m for m in mail.outbox if applicant.email in m.to]
    assert len(reset_mails) == 1 and "/accounts/password/reset/key/" in reset_mails[0].body
