import pytest
from django.urls import reverse

from tests.accounts.factories import PASSWORD
from tests.accounts.mfa import freeze_totp_clock, totp_code


@pytest.fixture(autouse=True)
def _steady_totp_clock(monkeypatch):
    freeze_totp_clock(monkeypatch)


@pytest.fixture
def log_in():
    """Log in through allauth's real login (and second step, when the user has TOTP)."""

    def log_in(client, user, *, code: str | None = None):
        response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
            response = client.post(reverse("mfa_authenticate"), {"code": code or totp_code(user.totp_secret)})
        return response

    return log_in


@pytest.fixture
def start_totp_setup():
    """Open the TOTP set-up page as allauth requires it (password typed again), return the secret."""

    def start(client) -> str:
        response = client.get(reverse("mfa_activate_totp"))
        if response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate")):
            client.post(response.url, {"password": PASSWORD})
            response = client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 200
        return client.session["mfa.totp.secret"]

    return start


@pytest.fixture
def deliver():
    """Run the outbox's delivery as its worker would once the request's writes commit: a test's
    transaction never commits, so the commit hook that queues it never fires."""
    from notifications.models import Reminder
    from notifications.outbox import outbox_deliver_batch

    def deliver() -> None:
        outbox_deliver_batch(message_ids=list(Reminder.objects.filter(status="pending").values_list("pk", flat=True)))

    return deliver
