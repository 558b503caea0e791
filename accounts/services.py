"""Account services: ending sessions and deactivating users.

Every signed-in session is tracked by allauth.usersessions (UserSessionsMiddleware records each
one), so ending a user's sessions means ending those rows and their session-store entries.
"""

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest

from audit.services import audit_record

from .models import User


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of `user` except `keep_session_key`; return how many were ended."""
    sessions = [s for s in UserSession.objects.filter(user_id=user.pk) if s.session_key != keep_session_key]
    for session in sessions:
        session.end()
    return len(sessions)


def user_session_end(*, user: User, session_id: int) -> str:
    """End one session of `user` and return its key. Another user's session raises
    UserSession.DoesNotExist, so it is a 404 and never ended."""
    session = UserSession.objects.get(id=session_id, user_id=user.pk)
    session.end()
    return session.session_key


def user_deactivate(*, user: User, actor: User | None, request: HttpRequest | None = None) -> None:
    """Deactivate `user` and end all their sessions at once (not only at their next request)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        ended = user_sessions_end(user=user)
        audit_record(actor=actor, action="account.deactivated", obj=user, request=request, sessions_ended=ended)
