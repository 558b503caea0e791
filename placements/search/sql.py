"""The SQL the ORM cannot write for the search, as pure functions: plain values in, (sql, params) out.

PostgreSQL only (they run where `counts.counts_by_grouping_sets` runs). Identifiers are the
listing's own column names and table names, quoted here; every value travels in the params.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# The grouped columns counted by something other than their own value: a specialty by its slug (with
# its name), an institution by its state.
SPECIALTY_COLUMN = "specialty_id"
INSTITUTION_COLUMN = "institution_id"


def quote_name(name: str) -> str:
    """A PostgreSQL identifier, quoted (as Django's PostgreSQL backend quotes it)."""
    if name.startswith('"') and name.endswith('"'):
        return name
    return f'"{name}"'


def _named_keys(columns: Sequence[str], specialty_table: str, institution_table: str) -> tuple[list[str], str]:
    """The keys of the counted rows `c` as the facets read them, and the joins they need: on the few
    rows counted, specialties by slug (with their names), institutions by state."""
    qn = quote_name
    keys = [f"c.{qn(column)}" for column in columns]
    joins = ""
    if SPECIALTY_COLUMN in columns:
        joins += f" LEFT JOIN {qn(specialty_table)} s ON s.id = c.specialty_id"
        keys[columns.index(SPECIALTY_COLUMN)] = "s.slug, s.name"
    if INSTITUTION_COLUMN in columns:
        joins += f" LEFT JOIN {qn(institution_table)} i ON i.id = c.institution_id"
        keys[columns.index(INSTITUTION_COLUMN)] = "i.state"
    return keys, joins


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
    keys, joins = _named_keys(columns, specialty_table, institution_table)
    key_list = ", ".join(keys)
    sql = f"SELECT c.g, {key_list}, {sums} FROM ({counting}) c{joins} GROUP BY c.g, {key_list}"  # nosec B608
    return sql, tuple(inner_params)


def one_pass_counts_and_page(
    inner_sql: str,
    inner_params: Sequence[object],
    columns: Sequence[str],
    marks: Sequence[str],
    *,
    counted_if: Sequence[str],
    own_condition: Mapping[str, str],
    paged_if: Sequence[str],
    order: Sequence[tuple[str, bool, str]],
    limit: int,
    offset: int,
    specialty_table: str,
    institution_table: str,
) -> tuple[str, tuple[object, ...]]:
    """The counts of `grouping_sets_counts` and the ids of one page, from ONE read of the rows of
    `inner_sql` (materialised once as `m`): a text that matches half the catalogue is matched, and its
    rows read, once instead of once for the counts and again for the ranking.

    `inner_sql` selects `id`, `columns`, one boolean `f_<mark>` per mark, the boolean columns named in
    `counted_if`, `own_condition` and `paged_if`, and the sort keys named in `order`; its rows are the
    search without the conditions in those booleans. A row is counted if every `counted_if` holds; a
    grouped column with a filter of its own (`own_condition`: column -> its boolean) is counted
    without it (disjunctive facets). The page is the rows where every `paged_if` holds, sorted by
    `order` ((alias, descending, "NULLS FIRST"/"NULLS LAST"/"")), `limit` rows from `offset`.

    Each row is (g, keys..., n0, marks..., one sum per `own_condition`, ids): as in
    `grouping_sets_counts`, with the sums of the columns with an own condition last, and ids NULL;
    then one row with g = -1 and the page's ids, in order, in `ids`.
    """
    qn = quote_name

    def all_of(names: Sequence[str], extra: str = "") -> str:
        conditions = [f"m.{qn(name)}::boolean" for name in names] + ([extra] if extra else [])
        return " AND ".join(conditions) or "TRUE"

    aggregates = [f"COUNT(*) FILTER (WHERE {all_of(counted_if)})"]
    aggregates += [f"COUNT(*) FILTER (WHERE {all_of(counted_if, f'm.f_{name}::boolean')})" for name in marks]
    aggregates += [
        f"COUNT(*) FILTER (WHERE {all_of([name for name in counted_if if name != own_condition[column]])})"
        for column in columns
        if column in own_condition
    ]
    counted = ", ".join(f"{aggregate} AS n{i}" for i, aggregate in enumerate(aggregates))
    sums = ", ".join(f"SUM(c.n{i})" for i in range(len(aggregates)))
    nulls = ", ".join(["NULL"] * (len(columns) + (SPECIALTY_COLUMN in columns) + len(aggregates)))
    sort = ", ".join(
        f"m.{qn(alias)} {'DESC' if descending else 'ASC'}{' ' + nulls_at if nulls_at else ''}"
        for alias, descending, nulls_at in order
    )
    page = (
        f"SELECT -1, {nulls}, (SELECT array_agg(p.id)::bigint[] FROM (SELECT m.id FROM m "  # nosec B608
        f"WHERE {all_of(paged_if)} ORDER BY {sort} LIMIT %s OFFSET %s) p)"
    )
    if not columns:
        counting = f"SELECT 0 AS g, {counted} FROM m"  # nosec B608
        key_list, joins, group_keys = "", "", ""
    else:
        grouped = ", ".join(f"m.{qn(column)}" for column in columns)
        sets = ", ".join(["()", *[f"(m.{qn(column)})" for column in columns]])
        counting = f"SELECT GROUPING({grouped}) AS g, {grouped}, {counted} FROM m GROUP BY GROUPING SETS ({sets})"  # nosec B608
        keys, joins = _named_keys(columns, specialty_table, institution_table)
        key_list = ", ".join(keys) + ", "
        group_keys = ", " + ", ".join(keys)
    query = (
        f"WITH m AS MATERIALIZED ({inner_sql}) "  # nosec B608
        f"SELECT c.g, {key_list}{sums}, NULL::bigint[] FROM ({counting}) c{joins} GROUP BY c.g{group_keys} "
        f"UNION ALL {page}"
    )
    return query, (*inner_params, limit, offset)
