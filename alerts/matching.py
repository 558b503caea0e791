"""The matchers: what appeared since the last run, joined against every saved search and saved
listing at once, written to the alert ledger with INSERT … SELECT … ON CONFLICT DO NOTHING.

Set-based by design: a run costs the same few statements for ten saved searches or 150,000
(`tests/alerts/test_scale.py` pins the count; `bench/alerts_match.py` times it). The ledger's
unique key (owner, listing, event, event_key) makes every alert exactly once, so runs may overlap
(each looks a little behind its cursor, for rows committed late) and two ticks may run together.

New listings and sessions (`match_saved_searches`). A saved search's filters are columns
(alerts.services.saved_search_parse). Candidates come from a hash join on three keys, each of which
a search either names or leaves open: the state, the specialty and one lexeme its text requires
(`SavedSearch.text_key`). Every new listing is expanded into its key rows (its state or "", its
specialty or 0, each lexeme of its search document or ""), so a search for Texas is never even
compared with a listing in Ohio, nor a text search with a listing lacking its word. The remaining
filters, the full text query (websearch_to_tsquery, as the results page, parsed once when the search
is saved: `SavedSearch.text_query`) and the eligibility rules are then tested on the candidate pairs
only.

"Only where I am eligible" is `applicants.eligibility.eligible_listings_q`'s hard rules written as
one condition over the joined profile and listing (the per-profile Q cannot be joined):
`tests/alerts/test_eligibility_sql.py` checks that both give the same answer over a grid of
profiles and listings.

Approximations (docs/alerts.md): "open now" and "starting in" are judged when the listing or session
is found, not later; SQLite (development) matches a text as one phrase anywhere in the listing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from applicants.choices import EcfmgStatus, ExamResult, TrainingStage
from applications.states import SEAT_HOLDING
from placements.choices import VisaStatus

from .models import Alert, Frequency, FullSession, MatchCursor

# A run looks this far behind its cursor: a listing published in a transaction that committed after
# the previous run read is still seen; the ledger makes the second look harmless.
OVERLAP = dt.timedelta(minutes=10)


@dataclass
class MatchResult:
    new_listing: int = 0
    new_session: int = 0
    window_open: int = 0
    seats_free: int = 0
    statements: list[str] = field(default_factory=list, repr=False)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _year(expr: str) -> str:
    return f"EXTRACT(YEAR FROM {expr})::int" if _pg() else f"CAST(strftime('%%Y', {expr}) AS INTEGER)"


def _day(expr: str) -> str:
    """The UTC calendar day of a timestamp, as text (an event key)."""
    return f"to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD')" if _pg() else f"substr({expr}, 1, 10)"


def _next_month(expr: str) -> str:
    return f"({expr} + interval '1 month')::date" if _pg() else f"date({expr}, '+1 month')"


def _dt(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def eligible_sql(*, profile: str = "p", listing: str = "l", session: str | None = None) -> str:
    """The hard eligibility rules (applicants.eligibility) as one SQL condition over a profile row
    (LEFT JOINed: none means an empty profile, as on the results page) and a listing row. With
    `session`, the graduation-year limit is judged on that session's start; without, on any session
    of the listing not yet started. Parameters: %(today)s."""
    p, lst = profile, listing
    stage = f"COALESCE({p}.training_stage, '')"
    visa = f"COALESCE({p}.planned_visa, '')"
    if session is not None:
        within_years = f"{_year(f'{session}.start_date')} - {p}.graduation_year <= {lst}.max_years_since_graduation"
    else:
        within_years = (
            "EXISTS (SELECT 1 FROM placements_session y WHERE y.listing_id = "
            f"{lst}.id AND NOT y.is_archived AND y.start_date >= %(today)s AND "
            f"{_year('y.start_date')} - {p}.graduation_year <= {lst}.max_years_since_graduation)"
        )
    return f"""(
        CASE WHEN {stage} = '{TrainingStage.STUDENT}' THEN {lst}.accepts_students
             WHEN {stage} = '{TrainingStage.GRADUATE}' THEN {lst}.accepts_graduates
             ELSE {lst}.accepts_students AND {lst}.accepts_graduates END
        AND (COALESCE({p}.ecfmg_status, '') = '{EcfmgStatus.CERTIFIED}' OR NOT {lst}.requires_ecfmg_certification)
        AND (COALESCE({p}.step1_result, '') = '{ExamResult.PASS}' OR NOT {lst}.requires_step1_pass)
        AND ({lst}.min_step2_score IS NULL OR {lst}.min_step2_score <= {p}.step2ck_score)
        AND ({lst}.english_test = '' OR {lst}.english_test = COALESCE({p}.english_test, ''))
        AND ({visa} = '{VisaStatus.US}'
             OR {lst}.accepted_visa_codes = ''
             OR ({visa} <> '' AND {lst}.accepted_visa_codes LIKE '%%,' || {visa} || ',%%'))
        AND ({stage} = '{TrainingStage.STUDENT}'
             OR {lst}.max_years_since_graduation IS NULL
             OR ({p}.graduation_year IS NOT NULL AND {within_years}))
    )"""


def _keys_sql() -> str:
    """Each fresh row once per key combination a matching search may hold (see the module's doc)."""
    if _pg():
        return """
        SELECT f.*, st.v AS k_state, sp.v AS k_spec, lx.v AS k_lex
        FROM fresh f
        CROSS JOIN LATERAL (VALUES (f.state), ('')) st(v)
        CROSS JOIN LATERAL (VALUES (f.specialty_id), (0)) sp(v)
        CROSS JOIN LATERAL (SELECT unnest(tsvector_to_array(f.search_vector)) UNION ALL SELECT '') lx(v)
        """
    parts = [
        f"SELECT fresh.*, {st} AS k_state, {sp} AS k_spec, '' AS k_lex FROM fresh"
        for st in ("state", "''")
        for sp in ("specialty_id", "0")
    ]
    return " UNION ALL ".join(parts)


def _text_sql() -> str:
    if _pg():
        # The query parsed when the search was saved; parsed here only for a row saved without it.
        return "l.search_vector @@ COALESCE(c.text_query, websearch_to_tsquery('english', c.text))"
    return "instr(l.haystack, lower(c.text)) > 0"


_APPLIED = """EXISTS (
    SELECT 1 FROM applications_application a JOIN placements_session ya ON ya.id = a.session_id
    WHERE a.applicant_id = {owner} AND ya.listing_id = {listing} AND a.status <> 'draft')"""

# The listing's columns every test reads, carried with the fresh rows so that a candidate pair
# never goes back to the listing's table (its row, institution and specialty) one by one.
_FRESH_COLUMNS = """
    l.id, i.state, l.specialty_id, l.kind, l.hands_on_level, l.accepted_visa_codes, l.duration_weeks,
    l.programme_fee + l.application_fee + l.deposit + l.other_costs AS total_cost,
    l.requires_ecfmg_certification, l.lor_offered, l.published_at,
    l.accepts_students, l.accepts_graduates, l.requires_step1_pass, l.min_step2_score, l.english_test,
    l.max_years_since_graduation{vendor}
"""
_FRESH_LISTINGS = """
    SELECT l.id AS listing_id, CAST(NULL AS BIGINT) AS session_id, CAST(NULL AS DATE) AS start_date,
           {columns}
    FROM placements_listing l JOIN placements_institution i ON i.id = l.institution_id
    {joins}
    WHERE l.status = 'published' AND l.published_at > %(since)s AND l.published_at <= %(now)s
"""
_FRESH_SESSIONS = """
    SELECT l.id AS listing_id, x.id AS session_id, x.start_date, {columns},
           x.applications_open_at, x.applications_close_at
    FROM placements_session x
    JOIN placements_listing l ON l.id = x.listing_id
    JOIN placements_institution i ON i.id = l.institution_id
    {joins}
    WHERE x.id > %(after_id)s AND x.id <= %(upto_id)s AND NOT x.is_archived AND x.start_date >= %(today)s
      AND l.status = 'published' AND l.published_at <= %(sessions_since)s
"""


def _fresh_sql(template: str) -> str:
    if _pg():
        return template.format(columns=_FRESH_COLUMNS.format(vendor=", l.search_vector"), joins="")
    # SQLite has no search document: the text is looked for in what the search document is made of.
    haystack = (
        ", lower(l.title || ' ' || l.description || ' ' || spc.name || ' ' || i.name || ' ' || i.city) AS haystack"
    )
    return template.format(
        columns=_FRESH_COLUMNS.format(vendor=haystack), joins="JOIN placements_specialty spc ON spc.id = l.specialty_id"
    )


def _search_match_sql(*, fresh: str, event: str, with_session: bool) -> str:
    """INSERT the alerts of every live saved search for the fresh rows (listing or session)."""
    if with_session:
        month_ok = "l.start_date >= c.start_month AND l.start_date < {end}".format(end=_next_month("c.start_month"))
        open_ok = "l.applications_open_at <= %(now)s AND l.applications_close_at > %(now)s"
        event_key = "CAST(l.session_id AS TEXT)"
        fresh_key, first_look = "CAST(f.session_id AS TEXT)", "f.session_id > %(seen_id)s"
        watching = "TRUE"
    else:
        month_ok = (
            "EXISTS (SELECT 1 FROM placements_session y WHERE y.listing_id = l.id AND NOT y.is_archived "
            f"AND y.start_date >= c.start_month AND y.start_date < {_next_month('c.start_month')})"
        )
        open_ok = (
            "EXISTS (SELECT 1 FROM placements_session y WHERE y.listing_id = l.id AND NOT y.is_archived "
            "AND y.applications_open_at <= %(now)s AND y.applications_close_at > %(now)s)"
        )
        event_key = "''"
        fresh_key, first_look = "''", "f.published_at > %(seen_upto)s"
        watching = "f.published_at > s.watching_since"
    eligible = eligible_sql(session="l" if with_session else None)
    # Materialised steps (PostgreSQL): the fresh rows, their keys, the candidate pairs from one hash
    # join of the keys with the live saved searches (read once, in order, with no index on the keys
    # on purpose: tens of thousands of candidate pairs are cheaper hashed than fetched through an
    # index one by one; see `_planner_settings` for the merge join), the filters read on the
    # search's and the fresh row's own columns, and only then the text, the eligibility and the
    # applications. Left to itself, the planner may start from the
    # applicants and probe the few fresh listings once per applicant.
    materialized = "MATERIALIZED " if _pg() else ""
    # A row already looked at by the previous run (the overlap) is looked at again, for one committed
    # late; its pairs already in the ledger are dropped as soon as they are found, by one probe of the
    # ledger's unique key each, rather than carried through the text, the eligibility and the insert
    # to be refused there. OFFSET 0 keeps it one probe per pair: PostgreSQL would otherwise consider
    # hashing every alert of the event instead.
    one_probe = " OFFSET 0" if _pg() else ""
    # PostgreSQL: the searches that found something are touched by the same statement, from the
    # rows it inserted; to the day, so a search matching every few minutes is not rewritten each time.
    insert_open, insert_close = "", ""
    if _pg():
        insert_open = "inserted AS (\n    "
        insert_close = """RETURNING saved_search_id
    ),
    touched AS (
        UPDATE alerts_savedsearch SET last_matched_at = %(now)s
        WHERE id IN (SELECT saved_search_id FROM inserted)
          AND (last_matched_at IS NULL OR last_matched_at < %(day_ago)s)
    )
    SELECT COUNT(*) FROM inserted"""
    return f"""
    WITH fresh AS {materialized}({fresh}),
    keys AS {materialized}({_keys_sql()}),
    live AS (
        SELECT id, owner_id, frequency, text, text_query, eligible_only, start_month, open_now, kind, hands_on, visa,
               min_weeks, max_weeks, fee_max, no_ecfmg, lor, watching_since,
               state, COALESCE(specialty_id, 0) AS k_spec, text_key
        FROM alerts_savedsearch WHERE NOT paused
    ),
    candidates AS {materialized}(
        SELECT s.id AS search_id, s.owner_id, s.frequency, s.text, s.text_query, s.eligible_only, s.start_month,
               s.open_now,
               f.listing_id, f.session_id
        FROM keys f
        JOIN live s ON s.state = f.k_state AND s.k_spec = f.k_spec AND s.text_key = f.k_lex
        WHERE {watching}
          AND (s.kind = '' OR s.kind = f.kind)
          AND (s.hands_on = '' OR s.hands_on = f.hands_on_level)
          AND (s.visa = '' OR f.accepted_visa_codes LIKE '%%,' || s.visa || ',%%')
          AND (s.min_weeks IS NULL OR f.duration_weeks >= s.min_weeks)
          AND (s.max_weeks IS NULL OR f.duration_weeks <= s.max_weeks)
          AND (s.fee_max IS NULL OR f.total_cost <= s.fee_max)
          AND (NOT s.no_ecfmg OR NOT f.requires_ecfmg_certification)
          AND (NOT s.lor OR f.lor_offered)
          AND ({first_look} OR NOT EXISTS (
              SELECT 1 FROM alerts_alert a WHERE a.owner_id = s.owner_id AND a.listing_id = f.listing_id
                AND a.event = '{event}' AND a.event_key = {fresh_key}{one_probe}))
    ),
    applied AS {materialized}(
        SELECT DISTINCT a.applicant_id, ya.listing_id
        FROM applications_application a JOIN placements_session ya ON ya.id = a.session_id
        WHERE ya.listing_id IN (SELECT listing_id FROM fresh) AND a.status <> 'draft'
    ){"," if insert_open else ""}
    {insert_open}INSERT INTO alerts_alert
        (owner_id, listing_id, session_id, event, event_key, saved_search_id, frequency, created_at, digest_due)
    SELECT c.owner_id, c.listing_id, c.session_id, '{event}', {event_key}, c.search_id, c.frequency, %(now)s, NULL
    FROM candidates c
    JOIN fresh l ON l.listing_id = c.listing_id AND COALESCE(l.session_id, 0) = COALESCE(c.session_id, 0)
    LEFT JOIN applicants_applicantprofile p ON c.eligible_only AND p.user_id = c.owner_id
    WHERE (c.start_month IS NULL OR ({month_ok}))
      AND (NOT c.open_now OR ({open_ok}))
      AND (c.text = '' OR {_text_sql()})
      AND (NOT c.eligible_only OR {eligible})
      AND NOT EXISTS (SELECT 1 FROM applied ap WHERE ap.applicant_id = c.owner_id AND ap.listing_id = c.listing_id)
    ORDER BY CASE c.frequency WHEN '{Frequency.IMMEDIATE}' THEN 0 WHEN '{Frequency.DAILY}' THEN 1 ELSE 2 END,
             c.search_id
    ON CONFLICT DO NOTHING
    {insert_close}
    """


def _planner_settings() -> None:
    """For the rest of the matcher's transaction only (SET LOCAL; PostgreSQL). The planner cannot
    estimate how many searches a listing's keys find (each key is one value, the searches' keys are
    heavily skewed towards "any"), so it may sort every live search for a merge join instead of
    hashing the few keys and reading the searches once; and the hash of a day's keys must not spill
    to disk."""
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")


def _cursor(name: str, now: dt.datetime) -> MatchCursor | None:
    """The matcher's cursor, locked for this run; None when another run holds it (it does the work)."""
    # Insert-or-skip, then lock: the same two statements on the first run as on every other.
    MatchCursor.objects.bulk_create([MatchCursor(name=name)], ignore_conflicts=True)
    return MatchCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()


def _execute(sql: str, params: dict, result: MatchResult) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result.statements.append(sql)
        if cursor.description is not None:  # PostgreSQL's insert answers with its count
            return int(cursor.fetchone()[0])
        if not _pg():  # Python's sqlite3 counts no rows for a statement that starts with WITH
            cursor.execute("SELECT changes()")
            return int(cursor.fetchone()[0])
        return max(cursor.rowcount, 0)


def match_saved_searches(*, now: dt.datetime | None = None, result: MatchResult | None = None) -> MatchResult:
    """Alerts for the listings published and the sessions added since the last run: two INSERTs."""
    now = now or timezone.now()
    result = result or MatchResult()
    with transaction.atomic():
        cursor = _cursor("saved_searches", now)
        if cursor is None:
            return result
        _planner_settings()
        first_run = cursor.upto is None
        since = (cursor.upto or now) - OVERLAP
        upto_id = _max_session_id()
        params = {
            "now": _dt(now),
            "since": _dt(since),
            "today": _date(timezone.localdate(now)),
            "after_id": upto_id if first_run else cursor.last_id,
            "upto_id": upto_id,
            "day_ago": _dt(now - dt.timedelta(days=1)),
            "seen_upto": _dt(cursor.upto or now),
            "seen_id": upto_id if first_run else cursor.previous_id,
            # The ids above `after_id` were first seen by the previous run or this one: their listing
            # must have been published before the earlier of the two looked.
            "sessions_since": _dt((cursor.previous_upto or cursor.upto or now) - OVERLAP),
        }
        result.new_listing = _execute(
            _search_match_sql(fresh=_fresh_sql(_FRESH_LISTINGS), event="new_listing", with_session=False),
            params,
            result,
        )
        # Run even when no session was added: the hash of no keys is empty and the searches are not
        # read, and a tick keeps the same statements whatever happened.
        result.new_session = _execute(
            _search_match_sql(fresh=_fresh_sql(_FRESH_SESSIONS), event="new_session", with_session=True),
            params,
            result,
        )
        if not _pg():
            _execute(
                "UPDATE alerts_savedsearch SET last_matched_at = %(now)s WHERE id IN (SELECT saved_search_id "
                "FROM alerts_alert WHERE frequency IN ('immediate', 'daily', 'weekly') AND created_at = %(now)s) "
                "AND (last_matched_at IS NULL OR last_matched_at < %(day_ago)s)",
                params,
                result,
            )
        # Two runs see each session id: one taken before a run and committed after it is not lost.
        cursor.previous_upto, cursor.upto = cursor.upto or now, now
        cursor.last_id, cursor.previous_id = upto_id if first_run else cursor.previous_id, upto_id
        cursor.save(update_fields=["upto", "previous_upto", "last_id", "previous_id", "updated_at"])
    return result


def _max_session_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM placements_session")
        return int(cursor.fetchone()[0])


def match_windows_opening(*, now: dt.datetime | None = None, result: MatchResult | None = None) -> MatchResult:
    """Alerts for saved listings whose application window opened since the last run: one INSERT.
    Keyed on the opening day: two sessions of a listing opening the same day are one alert."""
    now = now or timezone.now()
    result = result or MatchResult()
    with transaction.atomic():
        cursor = _cursor("windows_opening", now)
        if cursor is None:
            return result
        since = (cursor.upto or now) - OVERLAP
        sql = f"""
        INSERT INTO alerts_alert
            (owner_id, listing_id, session_id, event, event_key, saved_search_id, frequency, created_at, digest_due)
        SELECT sl.user_id, l.id, MIN(x.id), '{Alert.Event.WINDOW_OPEN}', {_day("x.applications_open_at")},
               NULL, '{Frequency.IMMEDIATE}', %(now)s, NULL
        FROM placements_session x
        JOIN placements_listing l ON l.id = x.listing_id
        JOIN applicants_savedlisting sl ON sl.listing_id = l.id
        JOIN accounts_user u ON u.id = sl.user_id
        WHERE x.applications_open_at > %(since)s AND x.applications_open_at <= %(now)s
          AND x.applications_close_at > %(now)s AND NOT x.is_archived AND l.status = 'published'
          AND u.is_active AND NOT {_APPLIED.format(owner="sl.user_id", listing="l.id")}
        GROUP BY sl.user_id, l.id, {_day("x.applications_open_at")}
        ON CONFLICT DO NOTHING
        """
        result.window_open = _execute(sql, {"now": _dt(now), "since": _dt(since)}, result)
        cursor.upto = now
        cursor.save(update_fields=["upto", "updated_at"])
    return result


def match_seats_free(*, now: dt.datetime | None = None, result: MatchResult | None = None) -> MatchResult:
    """Alerts for sessions full at the last run that have a seat free now and still take
    applications, to whoever saved the listing or waits on the session's waitlist: a scan of the
    seat holders (one aggregate), the alerts (one INSERT) and the snapshot's update.

    A scan rather than `applications.hooks.register_move_hook`: a move hook runs inside the move,
    before the waitlist is offered the freed seat, so it would announce seats the waitlist then
    takes; and seats a coordinator adds to a full session are no move at all."""
    now = now or timezone.now()
    result = result or MatchResult()
    holding = ", ".join(f"'{status}'" for status in sorted(SEAT_HOLDING))
    with transaction.atomic():
        cursor = _cursor("seats_free", now)
        if cursor is None:
            return result
        with connection.cursor() as db:
            db.execute(
                f"""
                SELECT a.session_id FROM applications_application a
                JOIN placements_session x ON x.id = a.session_id
                WHERE a.status IN ({holding}) AND NOT x.is_archived AND x.applications_close_at > %s
                GROUP BY a.session_id, x.seats HAVING COUNT(*) >= x.seats
                """,
                [_dt(now)],
            )
            full_now = {row[0] for row in db.fetchall()}
        result.statements.append("full sessions")
        was_full = set(FullSession.objects.values_list("session_id", flat=True))
        freed = sorted(was_full - full_now)
        for start in range(0, len(freed), 5000):
            chunk = freed[start : start + 5000]
            placeholders = ", ".join(["%s"] * len(chunk))
            key = f"CAST(x.id AS TEXT) || ':' || {_day('%s')}"
            who = f"""
                SELECT sl.user_id AS owner_id, x.id AS session_id FROM placements_session x
                JOIN applicants_savedlisting sl ON sl.listing_id = x.listing_id
                WHERE x.id IN ({placeholders}) AND NOT {_APPLIED.format(owner="sl.user_id", listing="x.listing_id")}
                UNION
                SELECT a.applicant_id, a.session_id FROM applications_application a
                WHERE a.session_id IN ({placeholders}) AND a.status = 'waitlisted'
            """
            sql = f"""
            INSERT INTO alerts_alert
                (owner_id, listing_id, session_id, event, event_key, saved_search_id, frequency, created_at,
                 digest_due)
            SELECT w.owner_id, x.listing_id, x.id, '{Alert.Event.SEATS_FREE}', {key}, NULL,
                   '{Frequency.IMMEDIATE}', %s, NULL
            FROM ({who}) w
            JOIN placements_session x ON x.id = w.session_id
            JOIN placements_listing l ON l.id = x.listing_id
            JOIN accounts_user u ON u.id = w.owner_id
            WHERE NOT x.is_archived AND l.status = 'published' AND u.is_active
              AND x.applications_open_at <= %s AND x.applications_close_at > %s
              AND x.seats > (SELECT COUNT(*) FROM applications_application h
                             WHERE h.session_id = x.id AND h.status IN ({holding}))
            ON CONFLICT DO NOTHING
            """
            with connection.cursor() as db:
                db.execute(sql, [_dt(now), _dt(now), *chunk, *chunk, _dt(now), _dt(now)])
                result.seats_free += max(db.rowcount, 0)
            result.statements.append(sql)
        FullSession.objects.filter(session_id__in=freed).delete()
        FullSession.objects.bulk_create(
            [FullSession(session_id=pk, since=now) for pk in full_now - was_full], ignore_conflicts=True
        )
        cursor.upto = now
        cursor.save(update_fields=["upto", "updated_at"])
    return result


def match_all(*, now: dt.datetime | None = None) -> MatchResult:
    now = now or timezone.now()
    result = MatchResult()
    match_saved_searches(now=now, result=result)
    match_windows_opening(now=now, result=result)
    match_seats_free(now=now, result=result)
    return result
