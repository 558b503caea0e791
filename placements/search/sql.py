"""The SQL the ORM cannot write for the search, as pure functions: plain values in, (sql, params) out.

PostgreSQL only (they run where `counts.counts_by_grouping_sets` runs). Identifiers are the
listing's own column names and table names, quoted here; every value travels in the params.
"""

from __future__ import annotations

from collections.abc import Sequence

# The grouped columns counted by something other than their own value: a specialty by its slug (with
# its name), an institution by its state.
SPECIALTY_COLUMN = "specialty_id"
INSTITUTION_COLUMN = "institution_id"


def quote_name(name: str) -> str:
    """A PostgreSQL identifier, quoted (as Django's PostgreSQL backend quotes it)."""
    if name.startswith('"') and name.endswith('"'):
        return name
    return f'"{name}"'


def grouping_sets_counts(
    inner_sql: str,
    inner_params: Sequence[object],
    columns: Sequence[str],
    marks: Sequence[str],
    *,
    specialty_table: str,
    institution_table: str,
) -> tuple[str, tuple[object, ...]]:
    """One pass over the rows of `inner_sql` counting: all of them, those with each mark, and those
    with each value of each column. `inner_sql` selects `columns` and one boolean `f_<mark>` per mark.

    Each result row is (g, keys..., n0, n1...): `g` is PostgreSQL's GROUPING() bitmask, all ones for
    the set `()` (every row counted once), else with a zero at the position of the column counted; the
    keys are the columns' values, with the specialty's as two (slug, name) and the institution's as
    its state; n0 counts the rows and n1... the marks, summed over the institutions of a state.
    """
    qn = quote_name
    aggregates = ["COUNT(*)", *[f"COUNT(*) FILTER (WHERE r.f_{name}::boolean)" for name in marks]]
    counted = ", ".join(f"{aggregate} AS n{i}" for i, aggregate in enumerate(aggregates))
    sums = ", ".join(f"SUM(c.n{i})" for i in range(len(aggregates)))
    if not columns:  # every grouped facet has an active filter: only the total and the marks
        counting = f"SELECT 0 AS g, {counted} FROM ({inner_sql}) r"  # nosec B608
        return f"SELECT c.g, {sums} FROM ({counting}) c GROUP BY c.g", tuple(inner_params)  # nosec B608
    grouped = ", ".join(f"r.{qn(column)}" for column in columns)
    sets = ", ".join(["()", *[f"(r.{qn(column)})" for column in columns]])
    # (::boolean: a condition that can match nothing, e.g. "eligible" for a visitor, is selected as 0.)
    counting = (
        f"SELECT GROUPING({grouped}) AS g, {grouped}, {counted} "  # nosec B608
        f"FROM ({inner_sql}) r GROUP BY GROUPING SETS ({sets})"
    )
    # Then, on the few rows counted: specialties by slug (with their names), institutions by state.
    keys = [f"c.{qn(column)}" for column in columns]
    joins = ""
    if SPECIALTY_COLUMN in columns:
        joins += f" LEFT JOIN {qn(specialty_table)} s ON s.id = c.specialty_id"
        keys[columns.index(SPECIALTY_COLUMN)] = "s.slug, s.name"
    if INSTITUTION_COLUMN in columns:
        joins += f" LEFT JOIN {qn(institution_table)} i ON i.id = c.institution_id"
        keys[columns.index(INSTITUTION_COLUMN)] = "i.state"
    key_list = ", ".join(keys)
    sql = f"SELECT c.g, {key_list}, {sums} FROM ({counting}) c{joins} GROUP BY c.g, {key_list}"  # nosec B608
    return sql, tuple(inner_params)
