"""Benchmark the match engine on a national-scale round and against the PyPI package ``matching``.

    .venv/bin/python bench/match_round.py            # or: make bench-match

Builds the round deterministically from a seed (45,000 applicants, 6,000 sessions, 40,000 seats,
capacities 1-20 skewed, 12 sessions ranked per applicant by popularity, every session ranking all
who ranked it), then reports:

* the engine's time alone (input checks, index building and deferred acceptance; best and median
  of ``--repeat`` runs, garbage collector on as in production);
* the engine's peak memory (tracemalloc, in a separate run since tracing slows Python down) and
  the process's peak resident set size (which also holds the instance itself);
* the ``matching`` package's time on a scaled-down round of ``--reference-applicants`` (its input
  checks are quadratic, so the full round takes minutes; ``--reference-full`` runs it anyway),
  the engine's time on that same round, the ratio, and whether both found the same matching.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rounds.engine import MatchResult, run_match  # noqa: E402
from rounds.synthetic import Instance, national_instance  # noqa: E402


def _run(instance: Instance) -> MatchResult[int, int]:
    return run_match(
        applicant_ranks=instance.applicant_ranks,
        session_ranks=instance.session_ranks,
        capacities=instance.capacities,
    )


def _timed(instance: Instance, repeat: int) -> tuple[list[float], list[float], MatchResult[int, int]]:
    """Wall-clock and CPU times of ``repeat`` runs; CPU time is the steadier one on a shared machine."""
    times, cpu_times = [], []
    for _ in range(repeat):
        gc.collect()
        start, cpu_start = time.perf_counter(), time.process_time()
        result = _run(instance)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times, result


def _peak_traced_bytes(instance: Instance) -> int:
    gc.collect()
    tracemalloc.start()
    _run(instance)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _describe(instance: Instance) -> str:
    return (
        f"{len(instance.applicant_ranks):,} applicants, {len(instance.capacities):,} sessions, "
        f"{instance.seats:,} seats, {instance.rank_entries:,} rank entries"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--applicants", type=int, default=45_000)
    parser.add_argument("--sessions", type=int, default=6_000)
    parser.add_argument("--seats", type=int, default=40_000)
    parser.add_argument("--choices", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reference-applicants",
        type=int,
        default=6_000,
        help="size of the scaled-down round the matching package runs on (0: skip)",
    )
    parser.add_argument(
        "--reference-full",
        action="store_true",
        help="also run the matching package on the full round (several minutes)",
    )
    args = parser.parse_args(argv)

    print(f"# match round benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"python {platform.python_version()}, {platform.machine()}, {_cpu_count()} cores")
    started = time.perf_counter()
    full = national_instance(
        seed=args.seed, applicants=args.applicants, sessions=args.sessions, seats=args.seats, choices=args.choices
    )
    print(f"round (seed {args.seed}): {_describe(full)}; generated in {time.perf_counter() - started:.2f} s")

    times, cpu_times, result = _timed(full, args.repeat)
    print(
        f"engine: best {min(times):.3f} s, median {statistics.median(times):.3f} s wall clock "
        f"(CPU best {min(cpu_times):.3f} s) over {args.repeat} runs; "
        f"{len(result.assignment):,} matched, {len(result.unmatched):,} unmatched, "
        f"{sum(result.seats_left(full.capacities).values()):,} seats left"
    )
    peak = _peak_traced_bytes(full)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    print(f"engine peak memory (tracemalloc): {peak / 2**20:.1f} MiB; process peak RSS so far: {rss / 2**20:.1f} MiB")

    if args.reference_applicants:
        factor = args.reference_applicants / args.applicants
        scaled = national_instance(
            seed=args.seed,
            applicants=args.reference_applicants,
            sessions=max(1, round(args.sessions * factor)),
            seats=max(1, round(args.seats * factor)),
            choices=args.choices,
        )
        _compare(f"scaled round ({factor:.3g} of the full one)", scaled, args.repeat)
    if args.reference_full:
        _compare("full round", full, 1)
    return 0


def _compare(label: str, instance: Instance, repeat: int) -> None:
    from tests.rounds.oracles import reference_match

    times, _cpu_times, result = _timed(instance, repeat)
    gc.collect()
    start = time.perf_counter()
    theirs = reference_match(
        applicant_ranks=instance.applicant_ranks,
        session_ranks=instance.session_ranks,
        capacities=instance.capacities,
    )
    reference_time = time.perf_counter() - start
    engine_time = min(times)
    print(
        f"{label}: {_describe(instance)}\n"
        f"  matching package (HospitalResident, optimal='resident'): {reference_time:.3f} s; "
        f"engine: {engine_time:.4f} s; ratio {reference_time / engine_time:,.0f}x; "
        f"same matching: {'yes' if theirs == result.assignment else 'NO'}"
    )


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
