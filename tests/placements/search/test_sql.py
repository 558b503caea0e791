"""The search's hand-written SQL and the reading of its rows, on their own: plain values in, plain values out.

Run against PostgreSQL where there is one (the statement must parse and count), else only as text."""

import pytest
from django.db import connection

from placements.search import counts, sql

INNER = 'SELECT "l"."kind", "l"."institution_id", ("l"."lor_offered" = %s) AS "f_lor" FROM "listing" "l" WHERE %s'


def build(columns, marks=("lor",)):
    return sql.grouping_sets_counts(
        INNER, (True, 1), columns, list(marks), specialty_table="placements_specialty", institution_table="inst"
    )


def test_values_travel_as_params_and_identifiers_are_quoted():
    statement, params = build(["kind", "institution_id"])
    assert params == (True, 1)
    assert 'GROUP BY GROUPING SETS ((), (r."kind"), (r."institution_id"))' in statement
    assert 'LEFT JOIN "inst" i ON i.id = c.institution_id' in statement
    assert "COUNT(*) FILTER (WHERE r.f_lor::boolean) AS n1" in statement
    assert statement.count("%s") == 2  # only the inner query's own placeholders


def test_a_specialty_is_grouped_by_its_slug_and_name():
    statement, _params = build(["specialty_id"], marks=())
    assert 'LEFT JOIN "placements_specialty" s ON s.id = c.specialty_id' in statement
    assert "GROUP BY c.g, s.slug, s.name" in statement
    assert "FILTER" not in statement


def test_with_no_column_left_it_counts_the_total_and_the_marks_only():
    statement, params = build([])
    assert "GROUPING SETS" not in statement and "GROUPING(" not in statement
    assert statement.startswith("SELECT c.g, SUM(c.n0), SUM(c.n1) FROM (SELECT 0 AS g, COUNT(*) AS n0")
    assert params == (True, 1)


def test_quote_name_leaves_a_quoted_name_alone():
    assert sql.quote_name("kind") == '"kind"'
    assert sql.quote_name('"kind"') == '"kind"'


def test_rows_are_read_by_facet_key():
    columns = ["kind", "specialty_id", "accepted_visa_codes", "duration_weeks"]
    everything = 0b1111
    rows = [
        (everything, None, None, None, None, None, 10, 4),  # (): the total and the mark
        (0b0111, "rotation", None, None, None, None, 6, 2),
        (0b0111, "observership", None, None, None, None, 4, 2),
        (0b1011, None, "cardiology", "Cardiology", None, None, 7, 3),
        (0b1101, None, None, None, ",b1b2,j1,", None, 3, 1),
        (0b1101, None, None, None, ",j1,", None, 5, 2),
        (0b1101, None, None, None, "", None, 2, 0),  # names no visa: counted under none
        (0b1110, None, None, None, None, 3, 4, 1),
        (0b1110, None, None, None, None, 6, 5, 2),
        (0b1110, None, None, None, None, 12, 1, 1),
        (0b0111, "externship", None, None, None, None, 0, 0),  # nothing counted: not a value
    ]
    found = counts.read_grouped(rows, columns, ["lor"])
    assert (found.total, found.flags) == (10, {"lor": 4})
    assert found.by_column == {
        "kind": {"rotation": 6, "observership": 4},
        "specialty_id": {"cardiology": 7},
        "accepted_visa_codes": {"b1b2": 3, "j1": 8},
        "duration_weeks": {"up-to-4": 4, "5-8": 5, "9-plus": 1},
    }
    assert found.specialty_names == {"cardiology": "Cardiology"}


def test_no_rows_count_nothing():
    found = counts.read_grouped([], ["kind"], ["lor"])
    assert (found.total, found.flags, found.by_column) == (0, {"lor": 0}, {"kind": {}})


@pytest.mark.parametrize(
    ("column", "value", "keys"),
    [
        ("accepted_visa_codes", ",b1b2,esta,", ["b1b2", "esta"]),
        ("accepted_visa_codes", "", []),
        ("duration_weeks", 4, ["up-to-4"]),
        ("duration_weeks", 5, ["5-8"]),
        ("duration_weeks", 104, ["9-plus"]),
        ("duration_weeks", 0, []),
        ("institution_id", "IL", ["IL"]),  # already the state, mapped in SQL
        ("hands_on_level", "observational", ["observational"]),
    ],
)
def test_facet_keys(column, value, keys):
    assert counts.facet_keys(column, value) == keys


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
@pytest.mark.django_db
def test_the_statement_runs_and_counts_on_postgresql():
    inner = (
        "SELECT v.kind, v.duration_weeks, (v.lor = %s) AS f_lor "
        "FROM (VALUES ('rotation', 4, true), ('rotation', 9, false), ('externship', 4, true)) "
        "v(kind, duration_weeks, lor)"
    )
    for columns in (["kind", "duration_weeks"], []):
        statement, params = sql.grouping_sets_counts(
            inner, (True,), columns, ["lor"], specialty_table="placements_specialty", institution_table="x"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            found = counts.read_grouped(cursor.fetchall(), columns, ["lor"])
        assert (found.total, found.flags) == (3, {"lor": 2})
        if columns:
            assert found.by_column == {
                "kind": {"rotation": 2, "externship": 1},
                "duration_weeks": {"up-to-4": 2, "9-plus": 1},
            }


def one_pass(columns, own=None, paged_if=()):
    return sql.one_pass_counts_and_page(
        'SELECT "l"."id", "l"."kind", "l"."institution_id", ("l"."lor_offered" = %s) AS "f_lor", '
        '("l"."kind" = %s) AS "a_kind", "l"."id" AS "o_0" FROM "listing" "l" WHERE %s',
        (True, "rotation", 1),
        columns,
        ["lor"],
        counted_if=list((own or {}).values()),
        own_condition=own or {},
        paged_if=list(paged_if),
        order=[("o_0", True, "NULLS LAST")],
        limit=20,
        offset=40,
        specialty_table="placements_specialty",
        institution_table="inst",
    )


def test_one_pass_reads_the_rows_once_and_pages_them_after_the_counts():
    statement, params = one_pass(["kind", "institution_id"])
    assert statement.startswith("WITH m AS MATERIALIZED (SELECT")
    assert statement.count('FROM "listing"') == 1  # the rows are read once, then only from m
    assert 'ORDER BY m."o_0" DESC NULLS LAST LIMIT %s OFFSET %s' in statement
    assert params == (True, "rotation", 1, 20, 40)  # the page's size and offset travel as params too


def test_one_pass_counts_a_picked_facet_without_its_own_filter():
    statement, _params = one_pass(["kind", "institution_id"], own={"kind": "a_kind"}, paged_if=["a_kind"])
    # The total and the marks with every filter; the types' own sum (the last) without the type's.
    assert 'COUNT(*) FILTER (WHERE m."a_kind"::boolean) AS n0' in statement
    assert 'COUNT(*) FILTER (WHERE m."a_kind"::boolean AND m.f_lor::boolean) AS n1' in statement
    assert "COUNT(*) FILTER (WHERE TRUE) AS n2" in statement
    assert 'WHERE m."a_kind"::boolean ORDER BY' in statement
