#!/usr/bin/env python
"""Throughput: the search page and the API search under gunicorn, beside a trivial Django view.

    make bench-throughput       # DATABASE_URL (PostgreSQL) and REDIS_URL required
    .venv/bin/python bench/throughput.py --duration 15 --connections 10

Starts gunicorn as in production (bench/server.py) and measures each endpoint with wrk on 127.0.0.1:
a warm-up, then a fixed-length run, for the trivial view (/bench/trivial/, the whole middleware stack
and nothing else), the search page and the API listing search (each rotating over several queries),
and the trivial view again. Requests per second are reported as a ratio to the trivial view's, which
holds on a noisy machine far better than the absolute figure. Writes bench/out/throughput.md.

An empty database (no published listing) is first seeded with --seed-command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import server  # noqa: E402

OUT = server.ROOT / "bench" / "out"
LUA = server.ROOT / "bench" / "wrk_paths.lua"
DEFAULT_SEED = f"{sys.executable} manage.py seed_demo --listings 100000"
TARGET_RATIO = 0.30

# The same queries for the page and the API: the whole catalogue, text, text with a filter, filters only.
QUERIES = [
    "",
    "q=cardiology",
    "q=internal+medicine&state=NY",
    "specialty=internal-medicine&visa=b1b2&open_now=1",
    "kind=observership&hands_on=observational&duration=up-to-4&sort=fee",
    "state=CA&sort=deadline&page=3",
]
# Anonymous API callers are throttled at 60/min per address; wrk is one address. The throttle still
# runs (the same cache round trips on every request), only its limit is out of the way.
API_THROTTLE = "100000/second"


@dataclass
class Run:
    label: str
    paths: list[str]
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non2xx: int = 0
    socket_errors: int = 0
    timeouts: int = 0
    load: str = ""


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def wrk(base_url: str, paths: list[str], *, seconds: int, threads: int, connections: int) -> dict:
    headers = [arg for name, value in server.PROXY_HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        *headers,
        "-s",
        str(LUA),
        base_url,
        "--",
        *paths,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def measure(base_url: str, run: Run, args: argparse.Namespace) -> Run:
    # Warm-up: every worker has its database connection, imported templates and warm caches.
    wrk(base_url, run.paths, seconds=args.warmup, threads=args.threads, connections=args.connections)
    result = wrk(base_url, run.paths, seconds=args.duration, threads=args.threads, connections=args.connections)
    run.requests = result["requests"]
    run.rps = result["requests"] / (result["duration_us"] / 1e6)
    run.p50_ms = result["p50_us"] / 1000
    run.p99_ms = result["p99_us"] / 1000
    run.non2xx = result["non2xx"]
    run.socket_errors = result["socket_errors"]
    run.timeouts = result["timeouts"]
    run.load = server.load_average()
    print(
        f"  {run.label}: {run.rps:.1f} req/s, p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, "
        f"non-2xx {run.non2xx}, load {run.load}",
        flush=True,
    )
    return run


def check_paths(base_url: str, paths: list[str]) -> dict[str, int]:
    """Every path answers 200 before it is measured (a fast 302 or 404 would flatter the figures).
    Returns the API's result count per query, to show what each query finds."""
    counts = {}
    for path in paths:
        request = urllib.request.Request(base_url + path, headers=server.PROXY_HEADERS)
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 (our own 127.0.0.1 server)
            if response.status != 200:
                sys.exit(f"{path} answered {response.status}, not 200: fix the set-up before measuring.")
            if path.startswith("/api/"):
                counts[path] = json.loads(response.read())["count"]
    return counts


def published_listings(env: dict[str, str]) -> int:
    code = "from placements.models import Listing; print(Listing.objects.filter(status='published').count())"
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=server.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(output.strip().splitlines()[-1])


def postgres_version(env: dict[str, str]) -> str:
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('show server_version'); print(c.fetchone()[0])"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=server.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1]


def server_time_breakdown(env: dict[str, str]) -> list[dict]:
    """Where one search page's server time goes, per query (in this process, no concurrency): total,
    SQL, number of queries and the slowest one. Explains a low share of the trivial view's throughput."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(headers=server.PROXY_HEADERS)
    rows = []
    for query in QUERIES:
        path = _with_query("/placements/", query)
        client.get(path, HTTP_HOST="127.0.0.1")  # warm: templates, connection
        timings = []

        def timed(execute, sql, params, many, context, timings=timings):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((time.perf_counter() - started, sql))

        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            client.get(path, HTTP_HOST="127.0.0.1")
        total = time.perf_counter() - started
        # No query at all when the anonymous search is served from the rendered-output cache.
        slowest = max(timings, default=(0.0, "(none: served from the cache)"))
        counting = [t for t, sql in timings if "COUNT(" in sql]  # the total, the flags and the facets
        rows.append(
            {
                "query": query,
                "total_ms": total * 1000,
                "sql_ms": sum(t for t, _ in timings) * 1000,
                "queries": len(timings),
                "counting": len(counting),
                "counting_ms": sum(counting) * 1000,
                "slowest_ms": slowest[0] * 1000,
                "slowest_sql": slowest[1],
            }
        )
    return rows


def _sql_gist(sql: str) -> str:
    """A short name for a query: what it selects and what it groups by."""
    select = sql.split(" FROM ", 1)[0].replace('"', "")
    group = sql.rsplit(" GROUP BY ", 1)[1].replace('"', "") if " GROUP BY " in sql else ""
    gist = select[:90] + ("…" if len(select) > 90 else "")
    return f"{gist} … GROUP BY {group[:40]}" if group else gist


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def markdown(runs: list[Run], args: argparse.Namespace, facts: dict) -> str:
    trivial = [r for r in runs if r.label.startswith("Trivial")]
    trivial_rps = sum(r.rps for r in trivial) / len(trivial)
    lines = [
        "## Throughput under gunicorn (wrk on 127.0.0.1)",
        "",
        f"Measured {facts['date']} on {facts['machine']}, with `make bench-throughput` "
        f"(`bench/throughput.py --duration {args.duration} --warmup {args.warmup} --threads {args.threads} "
        f"--connections {args.connections} --workers {args.workers}`).",
        f"PostgreSQL {facts['postgres']}, Redis, Python {platform.python_version()}; "
        f"{facts['listings']:,} published listings. Gunicorn {args.workers} sync workers (2 x cores + 1), "
        f"DEBUG off; wrk {args.threads} threads, {args.connections} connections, {args.warmup} s warm-up then "
        f"{args.duration} s per endpoint, endpoints one after another. wrk, PostgreSQL and Redis share the "
        "machine's cores with gunicorn.",
        "",
        "| Endpoint | Requests/s | p50 | p99 | Non-2xx | Socket errors / timeouts | Share of trivial | Load average "
        "(1, 5, 15 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        share = f"{run.rps / trivial_rps:.1%}" if not run.label.startswith("Trivial") else "(100%)"
        lines.append(
            f"| {run.label} | {run.rps:,.1f} | {run.p50_ms:.1f} ms | {run.p99_ms:.1f} ms | {run.non2xx} | "
            f"{run.socket_errors} / {run.timeouts} | {share} | {run.load} |"
        )
    search = next(r for r in runs if r.label.startswith("Search page"))
    api = next(r for r in runs if r.label.startswith("API"))
    ratio = search.rps / trivial_rps
    verdict = "met" if ratio >= TARGET_RATIO else "**missed**"
    lines += [
        "",
        f"Trivial view: {trivial_rps:,.1f} requests/s (mean of the runs before and after). "
        f"Search page / trivial = **{ratio:.1%}**, API search / trivial = **{api.rps / trivial_rps:.1%}**. "
        f"Target (search at least {TARGET_RATIO:.0%} of trivial): {verdict}.",
        f"Errors the server logged during the runs: {facts['logged_errors']}.",
        "",
        "Queries, rotated by each wrk connection (the page at `/placements/`, the API at `/api/v1/listings/`, "
        "with the same query string; results as the API counts them):",
        "",
    ]
    for query in QUERIES:
        count = facts["counts"].get(_with_query("/api/v1/listings/", query))
        lines.append(f"- `{query or '(none: the whole catalogue)'}`: {count:,} results")
    lines += [
        "",
        "Where one search page's server time goes (one request at a time, in-process, after a warm-up):",
        "",
        "| Query | Server time | SQL time | Queries | Of which COUNT (total, flags, facets) | Slowest query | Its "
        "time |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for row in facts["breakdown"]:
        lines.append(
            f"| `{row['query'] or '(none)'}` | {row['total_ms']:.0f} ms | {row['sql_ms']:.0f} ms | {row['queries']} | "
            f"{row['counting']}: {row['counting_ms']:.0f} ms | "
            f"`{_sql_gist(row['slowest_sql'])}` | {row['slowest_ms']:.0f} ms |"
        )
    lines += [
        "",
        "Differences from production, and why: the requests carry `X-Forwarded-Proto: https` as the TLS proxy "
        "would add; the anonymous API throttle is raised to "
        f"`{API_THROTTLE}` (wrk is a single address; the throttle still runs on every request); "
        "`/bench/trivial/` exists only in `bench.settings`' URLconf.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per endpoint (default 15)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up before each (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections (default 10)")
    parser.add_argument(
        "--workers", type=int, default=server.default_workers(), help="gunicorn sync workers (default 2 x cores + 1)"
    )
    parser.add_argument(
        "--seed-command",
        default=DEFAULT_SEED,
        help=f"run when the database holds no published listing (default: {DEFAULT_SEED!r})",
    )
    args = parser.parse_args()

    server.require_services()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk).")
    env = server.server_env(PORTAL_API_ANON_RATE=API_THROTTLE)
    server.prepare(env)
    listings = published_listings(env)
    if listings == 0:
        print(f"Empty catalogue: seeding with `{args.seed_command}`", flush=True)
        subprocess.run(shlex.split(args.seed_command), cwd=server.ROOT, env=env, check=True)
        listings = published_listings(env)

    runs = [
        Run("Trivial view `/bench/trivial/` (before)", ["/bench/trivial/"]),
        Run(f"Search page, {len(QUERIES)} queries", [_with_query("/placements/", q) for q in QUERIES]),
        Run(f"API listing search, {len(QUERIES)} queries", [_with_query("/api/v1/listings/", q) for q in QUERIES]),
        Run("Trivial view `/bench/trivial/` (after)", ["/bench/trivial/"]),
    ]
    log_path = OUT / "throughput-gunicorn.log"
    print(
        f"Throughput: gunicorn with {args.workers} workers, wrk -t{args.threads} -c{args.connections}, "
        f"{args.warmup} s warm-up + {args.duration} s each, {listings:,} published listings",
        flush=True,
    )
    with server.gunicorn(env, workers=args.workers, log_path=log_path) as base_url:
        counts = check_paths(base_url, sorted({p for run in runs for p in run.paths}))
        for run in runs:
            measure(base_url, run, args)
    facts = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu_model()}), {platform.system()} {platform.release()}",
        "postgres": postgres_version(env),
        "listings": listings,
        "counts": counts,
        "logged_errors": server.logged_errors(log_path),
        "breakdown": server_time_breakdown(env),
    }
    report = markdown(runs, args, facts)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "throughput.md").write_text(report)
    print()
    print(report)
    print(f"Written to {OUT / 'throughput.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
