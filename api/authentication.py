"""`Authorization: Token usce_…` (or `Bearer usce_…`) for API clients."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.middleware import has_totp, mfa_required_for

from .models import ApiToken, token_digest

KEYWORDS = ("token", "bearer")
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=5)


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Token <your token>”."))
        raw = parts[1].decode(errors="replace")
        token = ApiToken.objects.active().select_related("user").filter(digest=token_digest(raw)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token is unknown or was revoked."))
        user = token.user
        # The MFA middleware only sees session users; a token user must meet the same rule.
        if mfa_required_for(user) and not has_totp(user):
            raise exceptions.PermissionDenied(
                _("Two-factor authentication is required for your role. Set it up in your account first.")
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate), not 403, when no credentials were sent.
        return 'Token realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <your token>`; create one under Account › API tokens.",
        }
