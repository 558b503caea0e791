"""Upper apps act on an application's moves through here, so this app never imports them.

A hook runs inside the move's transaction, after the event is written: what it writes commits or
rolls back with the move (the trust app revokes a visa letter when the place is given up).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

MoveHook = Callable[..., None]

MOVE_HOOKS: list[MoveHook] = []


def register_move_hook(hook: MoveHook) -> None:
    """`hook(application=, from_status=, to_status=, actor=, now=)` is called on every move."""
    if hook not in MOVE_HOOKS:
        MOVE_HOOKS.append(hook)


def run_move_hooks(*, application: Any, from_status: str, to_status: str, actor: Any, now: dt.datetime) -> None:
    for hook in MOVE_HOOKS:
        hook(application=application, from_status=from_status, to_status=to_status, actor=actor, now=now)
