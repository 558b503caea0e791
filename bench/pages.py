#!/usr/bin/env python
"""Server time and SQL queries of the portal's main pages on the national dataset (PostgreSQL + Redis).

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/pages.py [--requests 100]

Seeds the national dataset first when the database is empty (bench/national.py), then requests each
page through Django's test Client, in process: the time is the whole server side of a request
(middleware, view, queries, template rendering), without a network or a WSGI server. Each page gets a
warm-up, then `--requests` requests that vary what is asked (search terms, filters, pages, listings,
applicants, coordinators), so no single cached answer flatters the figure. The table gives the
median, the 95th percentile, the queries per request (min-max: constant means one number) and
the load average (1 min) before and after each page, since the machine may be shared.

`--write` puts the table into bench/RESULTS.md between its `pages` markers.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# The benchmark sends thousands of API requests from one address: the throttles would answer 429.
os.environ.setdefault("PORTAL_API_ANON_RATE", "1000000/min")
os.environ.setdefault("PORTAL_API_USER_RATE", "1000000/min")
# As in production: the catalogue is counted again right after a change (run in process here, untimed).
os.environ.setdefault("PORTAL_SEARCH_WARM_COUNTS", "1")

TARGET_MS = 100
TERMS = [
    "cardiology",
    "internal medicine",
    "pediatrics observership",
    "psychiatry",
    "surgery",
    "family medicine",
    "neurology",
    "emergency",
    "research fellowship",
    "chicago",
    "houston",
    "externship",
    "nephrology",
    "gastroenterology",
    "hospital medicine",
    "oncology",
    "inpatient",
    "outpatient clinic",
    "new york",
    "elective",
]
STATES = ["IL", "TX", "NY", "CA", "FL", "PA", "OH", "GA", "MI", "NJ", "MA", "AZ", "WA", "MO", "TN"]
KINDS = ["rotation", "observership", "externship", "fellowship"]
VISAS = ["j1", "b1b2", "esta", "h1b"]
SORTS = ["relevance", "deadline", "fee", "start", "newest"]


@dataclass
class Row:
    page: str
    p50: float
    p95: float
    queries: str
    load: str
    n: int

    @property
    def verdict(self) -> str:
        return "meets" if self.p95 < TARGET_MS else "**misses**"


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def measure(label: str, make_request, *, requests: int, warmup: int, before=None) -> Row:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for i in range(warmup):
        response = make_request(i)
        assert response.status_code == 200, (label, response.status_code, getattr(response, "url", ""))
    load_before = _load()
    times, counts = [], []
    for i in range(warmup, warmup + requests):
        if before:
            before()  # not timed
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = make_request(i)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (label, response.status_code)
        times.append(elapsed * 1000)
        counts.append(len(queries.captured_queries))
        reset_queries()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    low, high = min(counts), max(counts)
    row = Row(
        label,
        statistics.median(times),
        p95,
        f"{low}" if low == high else f"{low}-{high}",
        f"{load_before}/{_load()}",
        requests,
    )
    print(
        f"  {label:<58} p50 {row.p50:7.1f} ms  p95 {row.p95:7.1f} ms  queries {row.queries:>5}  load {row.load}",
        flush=True,
    )
    return row


def pages(national, *, requests: int, warmup: int, only: str = "") -> list[Row]:
    from django.test import Client
    from django.urls import reverse

    rng = random.Random(10)
    search = reverse("placements:search")
    anonymous = Client()

    def applicant_clients(count: int) -> list[Client]:
        # Applicants who applied somewhere (the dashboard has rows), drawn across the whole population.
        from applications.models import Application

        ids = list(Application.objects.order_by().values_list("applicant_id", flat=True).distinct()[:20_000])
        clients = []
        for user_id in random.Random(count).sample(ids, count):
            client = Client()
            client.force_login(_user(user_id))
            clients.append(client)
        return clients

    applicants = applicant_clients(25)
    coordinators = []
    for user_id in national.coordinator_ids:
        client = Client()
        client.force_login(_user(user_id))
        coordinators.append(client)

    # As the served application does once loaded (portal/wsgi.py): what start-up made (here also the
    # dataset's ids and the signed-in clients) is kept out of the collector's full passes.
    from portal.gc_tuning import freeze_after_startup

    freeze_after_startup()

    def pick(seq, i):
        return seq[(i * 7919 + rng.randrange(len(seq))) % len(seq)]

    listing_ids = national.listing_ids
    cases = [
        (
            "Search, no text, no filter (page 1-5, varied sort)",
            lambda i: anonymous.get(search, {"page": 1 + i % 5, "sort": SORTS[i % len(SORTS)]}),
        ),
        ("Search, text", lambda i: anonymous.get(search, {"q": pick(TERMS, i)})),
        (
            "Search, filters (state, type, visa)",
            lambda i: anonymous.get(search, {"state": pick(STATES, i), "kind": pick(KINDS, i), "visa": pick(VISAS, i)}),
        ),
        (
            "Search, text + state + open now",
            lambda i: anonymous.get(search, {"q": pick(TERMS, i), "state": pick(STATES, i), "open_now": "1"}),
        ),
        (
            "Search, applicant, only where I am eligible",
            lambda i: pick(applicants, i).get(search, {"eligible": "1", "page": 1 + i % 3}),
        ),
        (
            "Search, applicant, eligible + text + state",
            lambda i: pick(applicants, i).get(search, {"eligible": "1", "q": pick(TERMS, i), "state": pick(STATES, i)}),
        ),
        (
            "Listing page (anonymous)",
            lambda i: anonymous.get(reverse("placements:listing", args=[pick(listing_ids, i)])),
        ),
        (
            "Listing page (applicant: eligibility shown)",
            lambda i: pick(applicants, i).get(reverse("placements:listing", args=[pick(listing_ids, i)])),
        ),
        ("Matches for you", lambda i: pick(applicants, i).get(reverse("applicants:matches"))),
        ("Applicant dashboard (my applications)", lambda i: pick(applicants, i).get(reverse("applications:mine"))),
        (
            "Coordinator queue, busy institution (~10,000 applications)",
            lambda i: pick(coordinators, i).get(
                reverse("applications:queue"),
                {"page": 1 + i % 10, "sort": ["-submitted", "name", "-step2", "status"][i % 4]},
            ),
        ),
        (
            "API listing search (text + filters, varied)",
            lambda i: anonymous.get(
                "/api/v1/listings/",
                {"q": pick(TERMS, i), "state": pick(STATES, i)}
                if i % 2
                else {"kind": pick(KINDS, i), "page": 1 + i % 4},
                HTTP_ACCEPT="application/json",
            ),
        ),
    ]
    # --only: the pages whose label contains the text (case-insensitive), e.g. "queue".
    cases = [(label, make) for label, make in cases if only.lower() in label.lower()]
    rows = []
    for label, make_request in cases:
        rows.append(measure(label, make_request, requests=requests, warmup=warmup))
    # The same searches when their counts are never in the cache (as right after every catalogue
    # change): the worst case, which the cached figures above hide for repeated searches.
    from placements.search.count_cache import catalogue_changed

    for label, make_request in cases:
        if label.startswith(("Search", "API")):
            rows.append(
                measure(
                    f"{label} [counts not cached]",
                    make_request,
                    requests=max(20, requests // 2),
                    warmup=2,
                    before=catalogue_changed,
                )
            )
    return rows


def _user(pk: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def reminders_tick(recipients: int) -> str:
    """bench/reminders.py's tick, on top of the national data (seeded and rolled back in one transaction)."""
    import importlib.util

    from django.utils import timezone

    from bench.rollback import rolled_back

    spec = importlib.util.spec_from_file_location("bench_reminders", ROOT / "bench" / "reminders.py")
    reminders = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reminders)
    now = timezone.now()
    lines = []
    with rolled_back():
        reminders.seed(recipients, now)
        for label in ("first tick (all new)", "second tick (steady state)"):
            load = _load()
            elapsed, queries, result = reminders.timed_tick(now)
            line = (
                f"| Reminders tick, {recipients:,} more applicants on the national data, {label} | {elapsed:.1f} s "
                f"| {queries} queries | {result['found']:,} reminders found, {result['queued']:,} queued "
                f"| {load}/{_load()} | < 60 s: {'meets' if elapsed < 60 else '**misses**'} |"
            )
            print("  " + line, flush=True)
            lines.append(line)
    return "\n".join(lines)


def table(rows: list[Row]) -> str:
    out = [
        "| Page | p50 (ms) | p95 (ms) | SQL queries per request | Load (1 min) before/after | Target p95 < 100 ms |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        out.append(f"| {r.page} | {r.p50:.1f} | {r.p95:.1f} | {r.queries} | {r.load} | {r.verdict} |")
    return "\n".join(out)


def write_results(block: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text()
    new, n = re.subn(
        r"(<!-- pages:start -->\n).*?(<!-- pages:end -->)", lambda m: m[1] + block + "\n" + m[2], text, flags=re.S
    )
    if n != 1:
        raise SystemExit("bench/RESULTS.md has no <!-- pages:start --> ... <!-- pages:end --> block to rewrite")
    path.write_text(new)


def machine() -> str:
    import platform
    import subprocess

    from django.db import connection

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")  # how much of the catalogue the server keeps in its own cache
        (buffers,) = cursor.fetchone()
    from django.core.cache import cache

    redis = cache._cache.get_client().info().get("redis_version", "?") if hasattr(cache, "_cache") else "?"
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({model}), {memory} GiB, Python {platform.python_version()}, "
        f"PostgreSQL {pg} (shared_buffers {buffers}), Redis {redis}; commit {commit}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page (default 100)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--reminders", type=int, default=100_000, help="applicants of the reminders tick (0: skip)")
    parser.add_argument("--write", action="store_true", help="rewrite the table in bench/RESULTS.md")
    parser.add_argument(
        "--only",
        default="",
        metavar="TEXT",
        help="measure only the pages whose label contains TEXT, e.g. --only queue (not with --write)",
    )
    args = parser.parse_args()
    if args.only and args.write:
        parser.error("--only measures part of the table: it cannot --write it")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        print(
            "The benchmark runs on PostgreSQL and Redis, as production does: set DATABASE_URL=postgres://... and "
            "REDIS_URL=redis://... (an empty database; it is seeded with the national dataset).",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    import logging

    logging.getLogger("notifications").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.utils import timezone

    from bench import national as seeding

    call_command("migrate", verbosity=0)
    try:
        national = seeding.seed()
    except seeding.NotEmpty as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 2
    started = timezone.now()
    header = (
        f"Run {started:%Y-%m-%d %H:%M} UTC on {machine()}.\n"
        f"Command: `make bench` ({' '.join(['bench/pages.py', *sys.argv[1:]])}); {args.requests} measured requests "
        f"per page after {args.warmup} warm-up requests. Load average (1/5/15 min) at the start: "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
        + "."
    )
    setup = seeding.last_setup()
    if setup:
        header += (
            f"\nDataset set-up (bench/national.py, COPY, {setup['at']}, load {setup['load'][0]}): "
            f"{setup['seconds']:.0f} s; target < 300 s: {'meets' if setup['seconds'] < 300 else '**misses**'}."
        )
    print(header, flush=True)
    rows = pages(national, requests=args.requests, warmup=args.warmup, only=args.only)
    block = header + "\n\n" + table(rows)
    if args.reminders:
        block += (
            "\n\n| Reminders | Time | Queries | Work | Load before/after | Target |\n| --- | ---: | ---: | --- | --- "
            "| --- |\n" + reminders_tick(args.reminders)
        )
    print()
    print(block)
    if args.write:
        write_results(block)
        print("\nbench/RESULTS.md updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
