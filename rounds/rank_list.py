"""Reading a posted rank list: one numbered position per row, blank for "leave out".

The same form serves keyboard, mouse and script users: without JavaScript the move-up/down
buttons post the typed order with a ``move`` and the page comes back re-ordered (not yet saved);
with `static/js/rounds-rank.js` they re-order the rows in place. Either way "Save order" posts
every position and the service saves the whole list or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass
class PostedOrder:
    ordered: list[int]  # ids, best first
    left_out: list[int]  # ids with a blank position
    typed: dict[int, str]  # what was typed, to show back on an error
    error: str | None = None


def read_order(post, *, ids: list[int], labels: dict[int, str]) -> PostedOrder:
    """Parse ``position_<id>`` fields for the given ids; refuse ties and non-numbers with a message."""
    typed = {pk: post.get(f"position_{pk}", "").strip() for pk in ids}
    at: dict[int, int] = {}
    left_out: list[int] = []
    for pk in ids:
        value = typed[pk]
        if not value:
            left_out.append(pk)
            continue
        if not value.isdecimal() or int(value) < 1:
            return PostedOrder(
                [], [], typed, _("“%(value)s” is not a position: use whole numbers from 1.") % {"value": value}
            )
        position = int(value)
        taken = next((other for other, p in at.items() if p == position), None)
        if taken is not None:
            return PostedOrder(
                [],
                [],
                typed,
                _("%(a)s and %(b)s are both at position %(n)s. Ties are not allowed: give each a different number.")
                % {"a": labels[taken], "b": labels[pk], "n": position},
            )
        at[pk] = position
    ordered = sorted(at, key=at.get)
    return PostedOrder(ordered, left_out, typed)


def apply_move(order: PostedOrder, move: str) -> None:
    """Move one ranked row up or down (``up:<id>`` / ``down:<id>``), for the no-script buttons."""
    direction, _sep, raw = move.partition(":")
    if not raw.isdecimal() or int(raw) not in order.ordered:
        return
    i = order.ordered.index(int(raw))
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order.ordered):
        order.ordered[i], order.ordered[j] = order.ordered[j], order.ordered[i]
