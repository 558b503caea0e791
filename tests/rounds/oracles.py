"""Independent checks for the match engine: written from the definitions, sharing no code with it.

* :func:`blocking_pairs` and :func:`capacity_violations` check a result against the definition of a
  stable matching;
* :func:`all_stable_matchings` enumerates every stable matching of a tiny instance by brute force,
  so applicant-optimality can be checked against all of them;
* :func:`reference_match` runs the PyPI package ``matching`` (HospitalResident, resident-optimal).
"""

from __future__ import annotations

import itertools
import sys
import threading
import warnings
from collections.abc import Hashable, Mapping, Sequence

Assignment = dict[Hashable, Hashable]


def mutual(
    applicant_ranks: Mapping[Hashable, Sequence[Hashable]], session_ranks: Mapping[Hashable, Sequence[Hashable]]
) -> dict[Hashable, list[Hashable]]:
    """Each applicant's acceptable sessions (ranked on both sides), in the applicant's order."""
    ranked_by = {s: set(ranked) for s, ranked in session_ranks.items()}
    return {a: [s for s in ranked if a in ranked_by.get(s, ())] for a, ranked in applicant_ranks.items()}


def capacity_violations(assignment: Assignment, capacities: Mapping[Hashable, int]) -> list[Hashable]:
    taken: dict[Hashable, int] = {}
    for s in assignment.values():
        taken[s] = taken.get(s, 0) + 1
    return [s for s, n in taken.items() if n > capacities[s]]


def blocking_pairs(
    assignment: Assignment,
    *,
    applicant_ranks: Mapping[Hashable, Sequence[Hashable]],
    session_ranks: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> list[tuple[Hashable, Hashable]]:
    """Pairs (a, s) ranked on both sides where a prefers s to their match and s has a free seat
    or holds someone it ranks below a."""
    holders: dict[Hashable, list[Hashable]] = {s: [] for s in capacities}
    for a, s in assignment.items():
        holders[s].append(a)
    position = {s: {a: i for i, a in enumerate(ranked)} for s, ranked in session_ranks.items()}
    pairs = []
    for a, ranked in applicant_ranks.items():
        current = assignment.get(a)
        for s in ranked:
            if s == current:
                break  # everything after this is worse for a
            rank_of = position.get(s, {})
            if a not in rank_of:
                continue
            if len(holders[s]) < capacities[s] or any(rank_of[b] > rank_of[a] for b in holders[s]):
                pairs.append((a, s))
    return pairs


def all_stable_matchings(
    *,
    applicant_ranks: Mapping[Hashable, Sequence[Hashable]],
    session_ranks: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> list[Assignment]:
    """Every stable matching, by enumerating each applicant's acceptable options (tiny inputs only)."""
    options = mutual(applicant_ranks, session_ranks)
    applicants = list(options)
    found = []
    for choice in itertools.product(*([None, *options[a]] for a in applicants)):
        assignment = {a: s for a, s in zip(applicants, choice) if s is not None}
        if capacity_violations(assignment, capacities):
            continue
        if not blocking_pairs(
            assignment, applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities
        ):
            found.append(assignment)
    return found


def reference_match(
    *,
    applicant_ranks: Mapping[Hashable, Sequence[Hashable]],
    session_ranks: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> Assignment:
    """The resident-optimal matching from the ``matching`` package on the same input.

    The package wants each hospital to rank exactly the residents who ranked it, nobody with an
    empty list and capacities of at least one, so the input is reduced to mutually ranked pairs
    first (the same acceptability rule as the engine). It deep-copies its object graph
    recursively, hence the large recursion limit and a thread with a big stack.
    """
    from matching.games import HospitalResident

    acceptable = mutual(applicant_ranks, session_ranks)
    open_sessions = {s for s, c in capacities.items() if c > 0}
    residents = {a: [s for s in ranked if s in open_sessions] for a, ranked in acceptable.items()}
    residents = {a: ranked for a, ranked in residents.items() if ranked}
    hospitals: dict[Hashable, list[Hashable]] = {s: [] for s in open_sessions}
    proposers = {s: set() for s in open_sessions}
    for a, ranked in residents.items():
        for s in ranked:
            proposers[s].add(a)
    for s in open_sessions:
        hospitals[s] = [a for a in session_ranks.get(s, ()) if a in proposers[s]]
    hospitals = {s: ranked for s, ranked in hospitals.items() if ranked}

    outcome: dict[str, object] = {}

    def solve() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                game = HospitalResident.create_from_dictionaries(
                    residents, hospitals, {s: capacities[s] for s in hospitals}
                )
                solved = game.solve(optimal="resident")
            outcome["assignment"] = {r.name: h.name for h, held in solved.items() for r in held}
        except BaseException as exc:  # surfaced in the calling thread
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    sys.setrecursionlimit(max(old_limit, 1_000_000))
    threading.stack_size(1024 * 1024 * 1024)
    try:
        worker = threading.Thread(target=solve)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["assignment"]  # type: ignore[return-value]
