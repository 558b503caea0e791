"""The match engine on hand-made rounds: known answers and refused input."""

import pytest

from rounds.engine import (
    CapacityError,
    DuplicateRankError,
    RankListError,
    TieError,
    UnknownIdError,
    rank_list_from_positions,
    run_match,
)


def test_it_gives_the_applicant_optimal_match_of_the_textbook_example():
    # Two stable matchings exist: {a->X, b->Y} (applicant-optimal) and {a->Y, b->X}
    # (session-optimal). Deferred acceptance with applicants proposing must find the first.
    result = run_match(
        applicant_ranks={"a": ["X", "Y"], "b": ["Y", "X"]},
        session_ranks={"X": ["b", "a"], "Y": ["a", "b"]},
        capacities={"X": 1, "Y": 1},
    )
    assert result.assignment == {"a": "X", "b": "Y"}
    assert result.unmatched == []


def test_a_popular_session_keeps_the_applicants_it_ranks_highest():
    result = run_match(
        applicant_ranks={1: [10, 20], 2: [10, 20], 3: [10, 20], 4: [10]},
        session_ranks={10: [3, 4, 1, 2], 20: [1, 2, 3]},
        capacities={10: 2, 20: 1},
    )
    assert result.held == {10: (3, 4), 20: (1,)}
    assert result.unmatched == [2]
    assert result.seats_left({10: 2, 20: 1}) == {10: 0, 20: 0}


def test_an_applicant_cannot_match_where_only_one_side_ranked():
    result = run_match(
        applicant_ranks={"ann": ["cardio"], "ben": []},
        session_ranks={"cardio": ["ben"]},
        capacities={"cardio": 3},
    )
    assert result.assignment == {}
    assert result.unmatched == ["ann", "ben"]
    assert result.held == {"cardio": ()}


def test_a_session_with_no_seats_matches_nobody():
    result = run_match(applicant_ranks={1: [5]}, session_ranks={5: [1]}, capacities={5: 0})
    assert result.unmatched == [1]


def test_a_displaced_applicant_moves_down_their_list():
    result = run_match(
        applicant_ranks={1: [10, 20, 30], 2: [10], 3: [20]},
        session_ranks={10: [2, 1], 20: [3, 1], 30: [1]},
        capacities={10: 1, 20: 1, 30: 1},
    )
    assert result.assignment == {1: 30, 2: 10, 3: 20}


def test_an_empty_round_matches_nobody():
    result = run_match(applicant_ranks={}, session_ranks={}, capacities={})
    assert (result.assignment, result.unmatched, result.held) == ({}, [], {})


@pytest.mark.parametrize(
    ("applicant_ranks", "session_ranks", "error", "message"),
    [
        ({1: [10, {20, 30}]}, {}, TieError, "Applicant 1 ranks sessions 20, 30 equally at position 2"),
        ({1: [10], 2: [10]}, {10: [(1, 2)]}, TieError, "Session 10 ranks applicants 1, 2 equally at position 1"),
        ({1: [10, 20, 10]}, {}, DuplicateRankError, "Applicant 1 ranks 10 twice (positions 1 and 3)"),
        ({1: [10], 2: [10]}, {10: [2, 1, 2]}, DuplicateRankError, "Session 10 ranks 2 twice (positions 1 and 3)"),
        ({1: [10, 99]}, {}, UnknownIdError, "Applicant 1 ranks unknown session 99 at position 2"),
        ({1: [10]}, {10: [1, 7]}, UnknownIdError, "Session 10 ranks unknown applicant 7 at position 2"),
        ({1: [10]}, {42: [1]}, UnknownIdError, "Session 42 has a rank list but no capacity"),
        ({1: "10"}, {}, RankListError, "Applicant 1's rank list must be an ordered sequence"),
    ],
)
def test_it_refuses_bad_rank_lists_with_a_message_naming_the_list(applicant_ranks, session_ranks, error, message):
    capacities = {10: 1, 20: 1, 30: 1}
    with pytest.raises(error) as excinfo:
        run_match(applicant_ranks=applicant_ranks, session_ranks=session_ranks, capacities=capacities)
    assert message in str(excinfo.value)


@pytest.mark.parametrize("capacity", [-1, 1.5, "2", True, None])
def test_it_refuses_a_capacity_that_is_not_a_whole_number_of_zero_or_more(capacity):
    with pytest.raises(CapacityError, match="Session 10 has capacity"):
        run_match(applicant_ranks={1: [10]}, session_ranks={10: [1]}, capacities={10: capacity})


def test_refused_input_is_a_value_error_so_callers_can_catch_it_generically():
    with pytest.raises(ValueError):
        run_match(applicant_ranks={1: [10, 10]}, session_ranks={}, capacities={10: 1})


def test_stored_positions_become_a_rank_list_best_first():
    rows = [("icu", 3), ("cardio", 1), ("peds", 2)]
    assert rank_list_from_positions(rows, owner="Applicant 1") == ["cardio", "peds", "icu"]


def test_stored_positions_that_tie_are_refused():
    with pytest.raises(TieError, match="Applicant 1 ranks 'cardio' and 'peds' equally at position 1"):
        rank_list_from_positions([("cardio", 1), ("peds", 1)], owner="Applicant 1")


def test_stored_positions_naming_one_session_twice_are_refused():
    with pytest.raises(DuplicateRankError, match="ranks 'cardio' twice"):
        rank_list_from_positions([("cardio", 1), ("cardio", 2)], owner="Applicant 1")
