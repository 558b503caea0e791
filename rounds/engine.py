"""Applicant-proposing deferred acceptance with capacities (the hospitals/residents problem).

Plain Python, no Django: the services read rank lists in bulk, call :func:`run_match` and write the
result back; the property tests and the benchmark drive it directly. Each free applicant proposes
to the next session on their list; a session holds the best applicants it ranked, up to its
capacity, and releases the worst held one when a better one proposes. With strict lists the result
is the unique applicant-optimal stable matching (Roth 1984; Roth and Peranson 1999, no couples).

Refused with a :class:`RankListError` naming the list: a tie or a repeated id in a list, an unknown
id (sessions are the keys of ``capacities``, applicants of ``applicant_ranks``), a capacity that is
not an integer of zero or more. A pair is acceptable only when both sides rank each other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush, heapreplace
from typing import Generic, TypeVar

A = TypeVar("A", bound=Hashable)
S = TypeVar("S", bound=Hashable)
T = TypeVar("T", bound=Hashable)

__all__ = [
    "MatchResult",
    "RankListError",
    "TieError",
    "DuplicateRankError",
    "UnknownIdError",
    "CapacityError",
    "run_match",
    "rank_list_from_positions",
]

# A rank-list entry of one of these types is a group of ids sharing a position.
_GROUP_TYPES = (set, frozenset, list, tuple)


class RankListError(ValueError):
    """A rank list or capacity that the engine refuses; ``owner`` names whose it is."""

    def __init__(self, message: str, *, owner: str) -> None:
        super().__init__(message)
        self.owner = owner


class TieError(RankListError):
    """Two or more ids share one position in a rank list."""


class DuplicateRankError(RankListError):
    """The same id appears twice in one rank list."""


class UnknownIdError(RankListError):
    """A rank list names an applicant or session that is not in the round."""


class CapacityError(RankListError):
    """A session's capacity is missing, negative or not an integer."""


@dataclass(frozen=True, slots=True)
class MatchResult(Generic[A, S]):
    """The applicant-optimal stable matching.

    ``assignment`` maps each matched applicant to their session; ``unmatched`` lists the others in
    input order; ``held`` gives every session's matched applicants in the session's rank order
    (an empty tuple when it filled no seat).
    """

    assignment: dict[A, S]
    unmatched: list[A]
    held: dict[S, tuple[A, ...]]

    def seats_left(self, capacities: Mapping[S, int]) -> dict[S, int]:
        """Seats each session still has after the match (unmatched applicants are shown these)."""
        return {s: capacities[s] - len(self.held.get(s, ())) for s in capacities}


def run_match(
    *,
    applicant_ranks: Mapping[A, Sequence[S]],
    session_ranks: Mapping[S, Sequence[A]],
    capacities: Mapping[S, int],
) -> MatchResult[A, S]:
    """Run applicant-proposing deferred acceptance and return the applicant-optimal stable matching.

    ``applicant_ranks[a]`` lists the sessions applicant ``a`` ranked, best first;
    ``session_ranks[s]`` lists the applicants session ``s`` ranked, best first (a session missing
    here ranked nobody); ``capacities[s]`` is how many applicants session ``s`` can take.
    Raises :class:`RankListError` (a ``ValueError``) for ties, duplicates, unknown ids and bad
    capacities.
    """
    applicant_ids: list[A] = list(applicant_ranks)
    session_ids: list[S] = list(capacities)
    applicant_index = {a: i for i, a in enumerate(applicant_ids)}
    session_index = {s: j for j, s in enumerate(session_ids)}

    capacity = [_checked_capacity(s, capacities[s]) for s in session_ids]
    # Sparse rank arrays: session j -> {applicant index: position}. Built with dict(zip()) so the
    # per-entry work stays in C; the national-scale round has over half a million entries.
    session_rank: list[dict[int, int]] = [{} for _ in session_ids]
    for s, ranked in session_ranks.items():
        j = session_index.get(s)
        if j is None:
            raise UnknownIdError(f"Session {s!r} has a rank list but no capacity.", owner=f"session {s!r}")
        indices = _to_indices(ranked, applicant_index, owner=f"Session {s!r}", kind="applicant")
        rank = dict(zip(indices, range(len(indices))))
        if len(rank) != len(indices):
            _raise_duplicate(ranked, owner=f"Session {s!r}")
        session_rank[j] = rank

    prefs: list[list[int]] = []
    for a, ranked in applicant_ranks.items():
        indices = _to_indices(ranked, session_index, owner=f"Applicant {a!r}", kind="session")
        if len(set(indices)) != len(indices):
            _raise_duplicate(ranked, owner=f"Applicant {a!r}")
        prefs.append(indices)

    held = _deferred_acceptance(prefs, session_rank, capacity, len(applicant_ids))

    n = max(len(applicant_ids), 1)
    assignment: dict[A, S] = {}
    held_ids: dict[S, tuple[A, ...]] = {}
    for j, heap in enumerate(held):
        s = session_ids[j]
        # Heap keys are -(position * n + applicant), so sorting them descending gives rank order.
        members = tuple(applicant_ids[-key % n] for key in sorted(heap, reverse=True))
        held_ids[s] = members
        for a in members:
            assignment[a] = s
    unmatched = [a for a in applicant_ids if a not in assignment]
    return MatchResult(assignment=assignment, unmatched=unmatched, held=held_ids)


def _deferred_acceptance(
    prefs: list[list[int]], session_rank: list[dict[int, int]], capacity: list[int], n: int
) -> list[list[int]]:
    """The proposal loop on integer indices; returns each session's heap of held applicants.

    A heap holds ``-(position * n + applicant)`` so its top is the worst held applicant and one
    integer comparison decides whether a proposer displaces them (no tuples, no lookups).
    """
    held: list[list[int]] = [[] for _ in capacity]
    next_choice = [0] * n
    for first in range(n):
        a = first
        # Follow the chain of displacements from this applicant until someone is held or exhausts
        # their list; equivalent to a stack of free applicants without the pushes and pops.
        while a >= 0:
            choices = prefs[a]
            i = next_choice[a]
            end = len(choices)
            proposer = a
            a = -1
            while i < end:
                j = choices[i]
                i += 1
                position = session_rank[j].get(proposer)
                if position is None:
                    continue  # the session did not rank this applicant
                heap = held[j]
                key = -(position * n + proposer)
                if len(heap) < capacity[j]:
                    heappush(heap, key)
                    break
                if heap and key > heap[0]:
                    a = -heapreplace(heap, key) % n
                    break
            next_choice[proposer] = i
    return held


def _checked_capacity(session: Hashable, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CapacityError(
            f"Session {session!r} has capacity {value!r}; it must be a whole number of zero or more.",
            owner=f"session {session!r}",
        )
    return value


def _to_indices(ranked: Sequence[T], index: Mapping[T, int], *, owner: str, kind: str) -> list[int]:
    """Map a rank list to integer indices; on failure find the entry at fault and explain it."""
    if isinstance(ranked, (str, bytes, set, frozenset)) or isinstance(ranked, Mapping):
        raise RankListError(f"{owner}'s rank list must be an ordered sequence of ids.", owner=owner)
    try:
        return list(map(index.__getitem__, ranked))
    except (KeyError, TypeError):
        pass
    for position, entry in enumerate(ranked, start=1):
        try:
            if entry in index:
                continue
        except TypeError:  # an unhashable entry (a list or set of ids) cannot be an id
            pass
        if isinstance(entry, _GROUP_TYPES):
            tied = ", ".join(repr(e) for e in entry)
            raise TieError(
                f"{owner} ranks {kind}s {tied} equally at position {position}; ties are not allowed.",
                owner=owner,
            )
        raise UnknownIdError(f"{owner} ranks unknown {kind} {entry!r} at position {position}.", owner=owner)
    raise AssertionError("unreachable: every entry was found")  # pragma: no cover


def _raise_duplicate(ranked: Sequence[T], *, owner: str) -> None:
    first_seen: dict[T, int] = {}
    for position, entry in enumerate(ranked, start=1):
        if entry in first_seen:
            raise DuplicateRankError(
                f"{owner} ranks {entry!r} twice (positions {first_seen[entry]} and {position}).", owner=owner
            )
        first_seen[entry] = position
    raise AssertionError("unreachable: a duplicate was detected")  # pragma: no cover


def rank_list_from_positions(entries: Iterable[tuple[T, int]], *, owner: str) -> list[T]:
    """Turn stored ``(id, position)`` rows into a rank list, best (lowest position) first.

    Rank lists live in the database as one row per ranked id with an integer position; two rows
    with the same position are a tie, which the engine refuses, so they are refused here too.
    """
    by_position: dict[int, T] = {}
    seen: set[T] = set()
    for entry, position in entries:
        if position in by_position:
            raise TieError(
                f"{owner} ranks {by_position[position]!r} and {entry!r} equally at position {position}; "
                "ties are not allowed.",
                owner=owner,
            )
        if entry in seen:
            raise DuplicateRankError(f"{owner} ranks {entry!r} twice.", owner=owner)
        by_position[position] = entry
        seen.add(entry)
    return [by_position[p] for p in sorted(by_position)]
