"""TOTP helpers for tests: give a user an authenticator and compute the codes an app would show."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal import auth as totp_auth
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value


def give_totp(user) -> str:
    """Activate TOTP for `user` and return its secret (also left on `user.totp_secret`)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return secret


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    counter = int(totp_auth.time.time()) // mfa_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))


class _FrozenTime:
    def __init__(self, at: float) -> None:
        self.at = at

    def time(self) -> float:
        return self.at


def freeze_totp_clock(monkeypatch) -> None:
    """Stop allauth's TOTP clock in the middle of a 30-second window, so a code computed by a test
    cannot expire between computing and posting it (a refusal then has only the reason tested)."""
    period = mfa_settings.TOTP_PERIOD
    middle_of_window = (int(time.time()) // period) * period + period / 2
    monkeypatch.setattr(totp_auth, "time", _FrozenTime(middle_of_window))
