"""Hypothesis: on random rounds the engine's match is stable, within capacity and applicant-optimal,
and equals the resident-optimal match of the PyPI package ``matching``."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.engine import run_match
from rounds.synthetic import national_instance
from tests.rounds.oracles import (
    all_stable_matchings,
    blocking_pairs,
    capacity_violations,
    mutual,
    reference_match,
)


@st.composite
def tiny_rounds(draw, max_applicants=5, max_sessions=4):
    """Rounds small enough to enumerate every matching; lists are partial and one-sided at random."""
    applicants = [f"app{i}" for i in range(draw(st.integers(0, max_applicants)))]
    sessions = [f"ses{j}" for j in range(draw(st.integers(0, max_sessions)))]
    capacities = {s: draw(st.integers(0, 3)) for s in sessions}

    def rank_list(ids):
        return draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []

    applicant_ranks = {a: rank_list(sessions) for a in applicants}
    # A session may leave out someone who ranked it, rank someone who did not, or rank nobody.
    session_ranks = {s: rank_list(applicants) for s in sessions if draw(st.integers(0, 5))}
    return applicant_ranks, session_ranks, capacities


def _position(ranked, choice):
    return ranked.index(choice) if choice is not None else len(ranked)


@settings(max_examples=400, deadline=None)
@given(tiny_rounds())
def test_the_match_is_stable_within_capacity_and_best_for_every_applicant(instance):
    applicant_ranks, session_ranks, capacities = instance
    result = run_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    assignment = result.assignment

    acceptable = mutual(applicant_ranks, session_ranks)
    assert all(s in acceptable[a] for a, s in assignment.items())
    assert capacity_violations(assignment, capacities) == []
    assert (
        blocking_pairs(assignment, applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
        == []
    )
    assert sorted(result.unmatched) == sorted(set(applicant_ranks) - set(assignment))

    stable = all_stable_matchings(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    assert assignment in stable
    for other in stable:
        for a, ranked in applicant_ranks.items():
            # No stable matching gives any applicant a session they rank higher.
            assert _position(ranked, assignment.get(a)) <= _position(ranked, other.get(a))
        # Rural hospitals theorem: every stable matching matches the same applicants.
        assert set(other) == set(assignment)


@settings(max_examples=100, deadline=None)
@given(tiny_rounds(max_applicants=7, max_sessions=5), st.randoms(use_true_random=False))
def test_the_match_does_not_depend_on_who_proposes_first(instance, rnd):
    applicant_ranks, session_ranks, capacities = instance
    first = run_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    order = list(applicant_ranks)
    rnd.shuffle(order)
    again = run_match(
        applicant_ranks={a: applicant_ranks[a] for a in order}, session_ranks=session_ranks, capacities=capacities
    )
    assert again.assignment == first.assignment
    assert again.held == first.held


def _perturbed(seed: int, applicants: int):
    """A synthetic round with one-sided ranks: sessions drop some who ranked them and add others."""
    sessions = max(1, applicants // 7)
    instance = national_instance(
        seed=seed,
        applicants=applicants,
        sessions=sessions,
        seats=min(20 * sessions, max(sessions, applicants * 8 // 9)),
        choices=min(12, max(1, applicants // 7)),
    )
    rng = random.Random(seed)
    everyone = list(instance.applicant_ranks)
    session_ranks = {}
    for s, ranked in instance.session_ranks.items():
        kept = [a for a in ranked if rng.random() > 0.05]
        extra = [a for a in rng.sample(everyone, min(3, len(everyone))) if a not in ranked]
        for a in extra:
            kept.insert(rng.randrange(len(kept) + 1), a)
        session_ranks[s] = kept
    return instance.applicant_ranks, session_ranks, instance.capacities


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), applicants=st.integers(1, 600))
def test_the_match_equals_the_matching_package_on_random_rounds(seed, applicants):
    applicant_ranks, session_ranks, capacities = _perturbed(seed, applicants)
    ours = run_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    theirs = reference_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    assert ours.assignment == theirs


@pytest.mark.parametrize("applicants", [1_000, 3_000])
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_the_match_equals_the_matching_package_on_rounds_of_thousands(seed, applicants):
    applicant_ranks, session_ranks, capacities = _perturbed(seed, applicants)
    ours = run_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    theirs = reference_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    assert len(ours.assignment) > applicants // 2  # a round where the comparison means something
    assert ours.assignment == theirs
    assert (
        blocking_pairs(
            ours.assignment, applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities
        )
        == []
    )
