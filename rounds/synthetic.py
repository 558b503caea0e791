"""Seeded synthetic match rounds shaped like a national one, for the benchmark and the tests.

No Django imports: the benchmark builds a 45,000-applicant instance in memory without a database.
The shape follows the issue: capacities 1 to 20 skewed towards small sessions and summing exactly
to the seat count, each applicant ranking a fixed number of sessions drawn by popularity (a Zipf
law, so a few sessions are heavily oversubscribed), each session ranking everyone who ranked it.
Sessions order applicants by a shared score plus per-session noise, because programmes largely
agree on who is strong; fully random orders would make the round easier than real ones.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import accumulate

MAX_CAPACITY = 20


@dataclass(frozen=True, slots=True)
class Instance:
    """One round's input to :func:`rounds.engine.run_match`; ids are positive integers like pks."""

    applicant_ranks: dict[int, list[int]]
    session_ranks: dict[int, list[int]]
    capacities: dict[int, int]

    @property
    def seats(self) -> int:
        return sum(self.capacities.values())

    @property
    def rank_entries(self) -> int:
        return sum(map(len, self.applicant_ranks.values()))


def skewed_capacities(rng: random.Random, *, sessions: int, seats: int) -> list[int]:
    """Capacities in 1..20, mostly small with a long tail, summing exactly to ``seats``."""
    if not sessions <= seats <= sessions * MAX_CAPACITY:
        raise ValueError(f"{seats} seats cannot be spread over {sessions} sessions of 1 to {MAX_CAPACITY}.")
    mean = seats / sessions
    # A log-normal with sigma 0.8 is right-skewed; its mean is exp(mu + sigma^2 / 2).
    mu = math.log(mean) - 0.32
    capacities = [min(MAX_CAPACITY, max(1, round(rng.lognormvariate(mu, 0.8)))) for _ in range(sessions)]
    total = sum(capacities)
    while total != seats:
        j = rng.randrange(sessions)
        if total < seats and capacities[j] < MAX_CAPACITY:
            capacities[j] += 1
            total += 1
        elif total > seats and capacities[j] > 1:
            capacities[j] -= 1
            total -= 1
    return capacities


def national_instance(
    *,
    seed: int = 2026,
    applicants: int = 45_000,
    sessions: int = 6_000,
    seats: int = 40_000,
    choices: int = 12,
    zipf_exponent: float = 0.7,
    noise: float = 0.15,
) -> Instance:
    """Build a round deterministically from ``seed`` (same arguments, same instance)."""
    rng = random.Random(seed)
    capacities = skewed_capacities(rng, sessions=sessions, seats=seats)
    popularity_rank = list(range(1, sessions + 1))
    rng.shuffle(popularity_rank)
    cum_weights = list(accumulate(1.0 / r**zipf_exponent for r in popularity_rank))
    session_ids = list(range(1, sessions + 1))
    per_applicant = min(choices, sessions)

    applicant_ranks: dict[int, list[int]] = {}
    proposers: dict[int, list[int]] = {s: [] for s in session_ids}
    for a in range(1, applicants + 1):
        picked: list[int] = []
        seen: set[int] = set()
        while len(picked) < per_applicant:
            # Draw in bulk and keep first occurrences: popular sessions tend to come out first,
            # so the order of the draw doubles as the applicant's preference order.
            for s in rng.choices(session_ids, cum_weights=cum_weights, k=2 * per_applicant):
                if s not in seen:
                    seen.add(s)
                    picked.append(s)
                    if len(picked) == per_applicant:
                        break
        applicant_ranks[a] = picked
        for s in picked:
            proposers[s].append(a)

    score = [0.0] + [rng.random() for _ in range(applicants)]
    session_ranks: dict[int, list[int]] = {}
    for s, ranked in proposers.items():
        keyed = sorted((score[a] + rng.gauss(0.0, noise), a) for a in ranked)
        session_ranks[s] = [a for _, a in reversed(keyed)]
    return Instance(
        applicant_ranks=applicant_ranks,
        session_ranks=session_ranks,
        capacities=dict(zip(session_ids, capacities)),
    )
