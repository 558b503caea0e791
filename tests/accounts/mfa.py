"""TOTP helpers for tests: give a user an authenticator and compute the codes an app would show."""
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value


def give_totp(user) -> str:
    """Activate TOTP for `user` and return its secret (also left on `user.totp_secret`)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return secret


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))
