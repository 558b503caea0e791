"""allauth's account adapter, where the portal's rules differ from allauth's defaults."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records

from .middleware import mfa_required_for


class AccountAdapter(DefaultAccountAdapter):
    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """No second password prompt for staff setting up the two-factor authentication their role
        requires (the authenticator, then its recovery codes), minutes after typing their password
        to log in: that login is the confirmation (allauth counts only an explicit
        re-authentication). Other apps' sensitive steps, and these once the login is older than the
        re-authentication timeout, still ask."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if not required or app != "allauth.mfa":
            return required
        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not mfa_required_for(user):
            return required
        records = get_authentication_records(request, user)
        recent = [r for r in records if r.get("method") == "password"]
        return not (recent and time.time() - recent[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT)
