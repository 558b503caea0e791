"""Signed one-click unsubscribe tokens: they name a user (or, for a recipient without an account,
the address_key of their address) and a kind, need no login and never expire (an old e-mail's
link must still work); the secret key makes them unforgeable."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscriber:
    kind: str
    user_id: int | None = None
    address: str = ""  # models.address_key(e-mail)


def unsubscribe_token(*, kind: str, user_id: int | None = None, address: str = "") -> str:
    if (user_id is None) == (not address):
        raise ValueError("An unsubscribe token names a user or an address, not both.")
    payload = {"u": user_id, "k": kind} if user_id is not None else {"a": address, "k": kind}
    return signing.dumps(payload, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> Unsubscriber | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    if isinstance(data.get("u"), int) and not isinstance(data.get("u"), bool):
        return Unsubscriber(kind=data["k"], user_id=data["u"])
    if isinstance(data.get("a"), str) and len(data["a"]) == 64:
        return Unsubscriber(kind=data["k"], address=data["a"])
    return None
