#!/usr/bin/env python
"""The catalogue search in tantivy, beside PostgreSQL's: a yardstick in bench/, never part of the portal.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/tantivy_yardstick.py [--requests 100]

Indexes the published listings of the national dataset (bench/national.py seeds it) in memory, in
process: the same text (title and specialty weighted as PostgreSQL's A, institution B, description
C; English stemming), the same filters and facets. Then runs bench/pages.py's searches that have a
text or filters, each with what the portal computes: the total, every grouped facet counted
disjunctively (each with every filter but its own), the flags, and the first page of 20 ids in the
portal's order. Timed by bench/pages.py's `measure`, with the same requests (terms, states, kinds,
visas). Nothing is cached between requests: compare with the "[counts not cached]" rows.

The answers are close to the portal's, not identical: tantivy ranks by BM25 (PostgreSQL by
ts_rank) and stems differently (a broad term such as "internal medicine" matches fewer listings),
and "open now" is read from the stored columns alone. Filters, facet counts, flags and the newest-first
order are the portal's. This measures how fast an engine built for the job answers the same
questions, not the portal's results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

TEXT_FIELDS = {"title": 1.0, "specialty": 1.0, "place": 0.4, "description": 0.2}  # ts_rank's A, A, B, C
GROUPS = ["kind", "specialty_slug", "state", "hands_on", "visa", "duration"]
PARAM_FIELDS = {"kind": "kind", "state": "state", "visa": "visa"}
NEVER = 2**40  # a missing date sorts last
ID_SPAN = 2**21  # above any listing id of the dataset


@dataclass
class Answer:
    """What the harness checks of a response."""

    status_code: int
    total: int
    facets: dict
    flags: dict
    ids: list


def _epoch(value: dt.datetime | None) -> int:
    return int(value.timestamp()) if value is not None else NEVER


def build(log=print):
    """The index of every published listing, and how long building it took (seconds)."""
    import tantivy

    from placements.models import Listing
    from placements.search import DURATIONS

    started = time.perf_counter()
    schema = tantivy.SchemaBuilder()
    schema.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        schema.add_text_field(name, tokenizer_name="en_stem")
    for name in GROUPS:
        schema.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in ("lor", "no_ecfmg", "deadline", "opens_at", "newest", "start", "cost"):
        schema.add_integer_field(name, indexed=True, fast=True)
    schema = schema.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    rows = (
        Listing.objects.published()
        .order_by()
        .values_list(
            "id",
            "title",
            "specialty__name",
            "specialty__parent__name",
            "institution__name",
            "institution__city",
            "description",
            "kind",
            "specialty__slug",
            "institution__state",
            "hands_on_level",
            "accepted_visa_codes",
            "duration_weeks",
            "lor_offered",
            "requires_ecfmg_certification",
            "stored_next_deadline",
            "stored_opens_at",
            "published_at",
            "stored_next_start",
            "programme_fee",
            "application_fee",
            "deposit",
            "other_costs",
        )
    )
    count = 0
    for row in rows.iterator(chunk_size=5000):
        (pk, title, specialty, parent, institution, city, description, kind, slug, state, hands_on, visas, weeks) = row[
            :13
        ]
        lor, ecfmg, deadline, opens_at, published, start, *fees = row[13:]
        doc = tantivy.Document()
        doc.add_integer("id", pk)
        doc.add_text("title", title)
        doc.add_text("specialty", f"{specialty} {parent or ''}")
        doc.add_text("place", f"{institution} {city}")
        doc.add_text("description", description)
        for name, value in (("kind", kind), ("specialty_slug", slug), ("state", state), ("hands_on", hands_on)):
            doc.add_text(name, value)
        for code in visas.strip(",").split(","):
            if code:
                doc.add_text("visa", code)
        bucket = next(
            (k for k, (_l, low, high) in DURATIONS.items() if weeks >= low and (high is None or weeks <= high))
        )
        doc.add_text("duration", bucket)
        doc.add_integer("lor", int(lor))
        doc.add_integer("no_ecfmg", int(not ecfmg))
        doc.add_integer("deadline", _epoch(deadline))
        doc.add_integer("opens_at", _epoch(opens_at))
        # The newest first, then the highest id, as one key (tantivy sorts by one fast field).
        doc.add_integer("newest", (_epoch(published) if published else 0) * ID_SPAN + pk)
        start_at = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) if start else None
        doc.add_integer("start", _epoch(start_at))
        doc.add_integer("cost", int(sum(fees) * 100))
        writer.add_document(doc)
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    seconds = time.perf_counter() - started
    log(f"  tantivy index: {count:,} published listings in {seconds:.1f} s")
    return index, seconds


class Engine:
    """The portal's search questions, asked of the index."""

    def __init__(self, index) -> None:
        import tantivy

        self.t = tantivy
        self.index = index
        self.schema = index.schema
        self.searcher = index.searcher()

    def _filters(self, params: dict, now: int, skip: str = "") -> list:
        t, clauses = self.t, []
        for param, value in params.items():
            if param == skip or param == "q":
                continue
            if param in PARAM_FIELDS:
                clauses.append(t.Query.term_query(self.schema, PARAM_FIELDS[param], value))
            elif param == "open_now":
                clauses.append(t.Query.range_query(self.schema, "opens_at", t.FieldType.Integer, upper_bound=now))
                clauses.append(
                    t.Query.range_query(
                        self.schema, "deadline", t.FieldType.Integer, lower_bound=now, include_lower=False
                    )
                )
        return clauses

    def _query(self, params: dict, now: int, skip: str = ""):
        t = self.t
        clauses = self._filters(params, now, skip)
        if params.get("q"):
            text = self.index.parse_query(
                params["q"], list(TEXT_FIELDS), field_boosts=TEXT_FIELDS, conjunction_by_default=True
            )
            clauses.insert(0, text)
        if not clauses:
            return t.Query.all_query()
        if len(clauses) == 1:
            return clauses[0]
        return t.Query.boolean_query([(t.Occur.Must, clause) for clause in clauses])

    def _terms(self, query, fields: list[str]) -> dict:
        aggs = {name: {"terms": {"field": name, "size": 500}} for name in fields}
        found = self.searcher.aggregate(query, aggs)
        return {name: {b["key"]: b["doc_count"] for b in found[name]["buckets"]} for name in fields}

    def search(self, params: dict) -> Answer:
        now = int(time.time())
        query = self._query(params, now)
        if params.get("q"):
            result = self.searcher.search(query, limit=20, count=True)
        else:
            result = self.searcher.search(query, limit=20, count=True, order_by_field="newest", order=self.t.Order.Desc)
        ids = [self.searcher.doc(address)["id"][0] for _score, address in result.hits]
        active = [name for name in GROUPS if _param_of(name) in params]
        facets = self._terms(query, [name for name in GROUPS if name not in active] + ["lor", "no_ecfmg"])
        for name in active:  # disjunctive: counted without its own filter
            facets.update(self._terms(self._query(params, now, skip=_param_of(name)), [name]))
        flags = {"lor": facets.pop("lor").get(1, 0), "no_ecfmg": facets.pop("no_ecfmg").get(1, 0)}
        if "open_now" in params:
            flags["open_now"] = result.count
        else:
            open_query = self.t.Query.boolean_query(
                [(self.t.Occur.Must, c) for c in [query, *self._filters({"open_now": "1"}, now)]]
            )
            flags["open_now"] = self.searcher.search(open_query, limit=1, count=True).count
        return Answer(200, result.count, facets, flags, ids)


def _param_of(field: str) -> str:
    return {"specialty_slug": "specialty", "hands_on": "hands_on", "duration": "duration"}.get(field, field)


def cases(engine: Engine):
    import random

    from bench.pages import KINDS, STATES, TERMS, VISAS

    rng = random.Random(10)

    def pick(seq, i):
        return seq[(i * 7919 + rng.randrange(len(seq))) % len(seq)]

    return [
        ("tantivy: Search, text", lambda i: engine.search({"q": pick(TERMS, i)})),
        (
            "tantivy: Search, filters (state, type, visa)",
            lambda i: engine.search({"state": pick(STATES, i), "kind": pick(KINDS, i), "visa": pick(VISAS, i)}),
        ),
        (
            "tantivy: Search, text + state + open now",
            lambda i: engine.search({"q": pick(TERMS, i), "state": pick(STATES, i), "open_now": "1"}),
        ),
        (
            "tantivy: API listing search (text + filters, varied)",
            lambda i: engine.search(
                {"q": pick(TERMS, i), "state": pick(STATES, i)} if i % 2 else {"kind": pick(KINDS, i)}
            ),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="measured requests per row (default 100)")
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("The yardstick reads the national dataset: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    import django

    django.setup()
    from bench.pages import measure, table

    index, _seconds = build()
    engine = Engine(index)
    rows = [measure(label, make, requests=args.requests, warmup=args.warmup) for label, make in cases(engine)]
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
