"""The writer's link: a signed, timestamped token naming one LetterLink row.

The signature makes a guessed or altered token worthless without the SECRET_KEY; the timestamp
makes every link lapse; the row makes it revocable (a resend or revocation ends the row, and the
token then names a dead link). The token carries no personal data, only the row's random key.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from django.conf import settings
from django.core import signing

SALT = "letters.writer-link"


class LinkProblem(Enum):
    INVALID = "invalid"  # never issued, mistyped or tampered with
    EXPIRED = "expired"


class BadLink(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.LETTERS_LINK_DAYS)


class _IssuedAtSigner(signing.TimestampSigner):
    """Signs with a given issue time instead of the clock's."""

    def __init__(self, issued_at: dt.datetime, **kwargs) -> None:
        super().__init__(**kwargs)
        self.issued_at = issued_at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.issued_at.timestamp()))


def make_token(key: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(key)


def token_as_issued(key: str, issued_at: dt.datetime) -> str:
    """A token for an existing link, dated when the link was issued rather than now.

    Reminders put the writer's live link in a later e-mail. Signing the key afresh would restart
    the token's clock and quietly give the link a longer life than the writer's invitation said;
    back-dating it to the link's issue keeps the reminder's token exactly as strong as the first
    one: it lapses at the same moment, and a resend or revocation kills both (they name one row).
    """
    return _IssuedAtSigner(issued_at, salt=SALT).sign(key)


def read_token(token: str) -> str:
    """The link key the token names. Raises BadLink when it is not ours or too old."""
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise BadLink(LinkProblem.EXPIRED) from None
    except signing.BadSignature:
        raise BadLink(LinkProblem.INVALID) from None
