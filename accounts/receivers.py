"""A changed or reset password ends the user's other sessions.

Django already invalidates them lazily (the session hash no longer matches), but only at their next
request; ending them removes them from the sessions list and the session store at once.
"""

from allauth.account import signals as account_signals

from .services import user_sessions_end


def on_password_changed(sender, request, user, **kwargs) -> None:
    user_sessions_end(user=user, keep_session_key=request.session.session_key)


def on_password_reset(sender, request, user, **kwargs) -> None:
    # Whoever reset it is not signed in by the reset (ACCOUNT_LOGIN_ON_PASSWORD_RESET is off).
    user_sessions_end(user=user, keep_session_key=request.session.session_key)


def connect() -> None:
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="accounts-end-sessions-changed")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="accounts-end-sessions-reset")
