#!/usr/bin/env python
"""Load and abuse: simulated applicants sign in, search and apply on gunicorn; nothing is lost or doubled.

    make load-test              # DATABASE_URL (PostgreSQL) and REDIS_URL required
    .venv/bin/python bench/load_test.py --users 30 --duration 30

Creates its own institution, listings (one open session each, no requirement an applicant could
miss) and applicants, tagged with this run, in the database of DATABASE_URL, which may already hold
other data; they stay there afterwards (give it a database of its own, as .ci/run does). Starts gunicorn
as in production (bench/server.py) and runs one thread per applicant on 127.0.0.1. Each applicant,
from its own address (X-Forwarded-For through one trusted proxy, as behind a load balancer, so
allauth's per-address login limit stays as configured):

* signs in through the real login form (CSRF token from the page);
* searches the catalogue and opens the listings it will apply to;
* starts an application to each of its sessions, clicking "Start my application" twice in a row for
  the first and from three concurrent requests at once for the second;
* submits each application, twice at once for the first;
* keeps searching and opening listings until --duration seconds have passed since the start.

Meanwhile one attacker guesses a separate account's password from one address until allauth's
rate limit locks that account's logins; then even its right password is refused.

Afterwards it checks in the database that every application an applicant was answered "started"
for exists exactly once with the id the answer named, that none exists that no answer named, that
every application answered "submitted" is submitted with exactly one submission event, and that no
response was a 5xx. Writes bench/out/load.md and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import server  # noqa: E402

OUT = server.ROOT / "bench" / "out"
PASSWORD = "load-test-Applicant-2026"  # nosec B105 (the accounts exist only in the load test's data)
SESSIONS_PER_USER = 3
CONCURRENT_CLICKS = 3
WRONG_PASSWORDS = 7  # more than login_failed's 5 per 15 minutes per account
LOCKED = "Too many failed login attempts"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
APPLICATION_RE = re.compile(r"/applications/(\d+)/$")
GATEWAY_ERRORS = (502, 503, 504)


# --- The run's own data -----------------------------------------------------------------------------


@dataclass
class Fixture:
    tag: str
    users: list[tuple[int, str]]  # (user id, e-mail)
    sessions: list[tuple[int, int]]  # (session id, listing id)
    victim: str  # the account the attacker guesses at

    def sessions_of(self, index: int) -> list[tuple[int, int]]:
        # Neighbouring applicants share sessions, so concurrent submits meet on the same session lock.
        return [self.sessions[(index + k) % len(self.sessions)] for k in range(SESSIONS_PER_USER)]


def create_fixture(tag: str, users: int, listings: int) -> Fixture:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from applicants.models import ApplicantProfile
    from applications.eligibility_check import eligibility_for
    from placements.models import Institution, Listing, Session, Specialty, Visa

    User = get_user_model()
    now = timezone.now()
    start = timezone.localdate() + dt.timedelta(days=90)
    with transaction.atomic():
        institution = Institution.objects.create(
            name=f"Load Test Medical Center {tag}",
            slug=f"load-test-medical-center-{tag}",
            kind="teaching",
            city="Houston",
            state="TX",
            time_zone="America/Chicago",
            verified=True,
        )
        specialty, _ = Specialty.objects.get_or_create(slug="internal-medicine", defaults={"name": "Internal Medicine"})
        visas = [Visa.objects.get_or_create(code=code)[0] for code in ("b1b2", "j1")]
        sessions = []
        for i in range(listings):
            listing = Listing.objects.create(
                institution=institution,
                kind="observership",
                title=f"Loadtest{tag} Internal Medicine Observership {i}",
                specialty=specialty,
                description="Four weeks observing the inpatient medicine service.",
                hands_on_level="observational",
                duration_weeks=4,
                status="published",
                published_at=now,
            )
            listing.accepted_visas.set(visas)
            session = Session.objects.create(
                listing=listing,
                start_date=start,
                end_date=start + dt.timedelta(days=27),
                seats=users,
                applications_open_at=now - dt.timedelta(days=10),
                applications_close_at=dt.datetime.combine(
                    start - dt.timedelta(days=30), dt.time(23, 59), tzinfo=dt.UTC
                ),
            )
            sessions.append((session.pk, listing.pk))
        password = make_password(PASSWORD)  # one hash for all: hashing is the slow part of creating users
        emails = [f"applicant{i}.{tag}@load.usce-portal.test" for i in range(users)] + [
            f"victim.{tag}@load.usce-portal.test"
        ]
        created = User.objects.bulk_create(
            [User(email=e, full_name=f"Load Applicant {i}", password=password) for i, e in enumerate(emails)]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created]
        )
        ApplicantProfile.objects.bulk_create(
            [
                ApplicantProfile(
                    user=u,
                    citizenship_country="Nigeria",
                    residence_country="Nigeria",
                    time_zone="Africa/Lagos",
                    training_stage="graduate",
                    medical_school="University of Lagos College of Medicine",
                    medical_school_country="Nigeria",
                    graduation_year=now.year - 2,
                    ecfmg_status="certified",
                    usmle_id=f"{70000000 + i}",
                    step1_result="pass",
                    step2ck_score=245,
                    current_visa="b1b2",
                    planned_visa="b1b2",
                )
                for i, u in enumerate(created)
            ]
        )
    # The run is about load, not eligibility: fail now, with the reasons, if the data would be refused.
    eligibility = eligibility_for(applicant=created[0], session=Session.objects.get(pk=sessions[0][0]))
    if not eligibility.eligible:
        sys.exit(f"The load test's applicants are not eligible for its sessions: {eligibility.reasons}")
    return Fixture(tag=tag, users=[(u.pk, u.email) for u in created[:-1]], sessions=sessions, victim=emails[-1])


# --- What the applicants were told ----------------------------------------------------------------


@dataclass
class Ledger:
    """Every answer the simulated browsers received, shared by their threads."""

    statuses: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=lambda: defaultdict(list))  # kind -> response times
    problems: list[str] = field(default_factory=list)
    started: dict = field(default_factory=lambda: defaultdict(set))  # (user id, session id) -> ids answered
    submitted: set = field(default_factory=set)  # application ids answered "submitted"
    attempted: set = field(default_factory=set)  # (user id, session id) an apply was sent for
    rate_limited_at: int | None = None
    # Behind a load balancer whose nodes are killed (bench/cluster.py): a 502/503/504 or a connection
    # closed without an answer is counted, not a problem, and the browser sends the same request once
    # more a second later, as a person clicks again.
    retry_gateway_errors: bool = False
    gateway_errors: list = field(default_factory=list)  # (kind, method, path, status or 0, sent, failed)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, response: requests.Response, expected: tuple[int, ...], *, sent: float = 0) -> bool:
        """Count the answer; True when it was a gateway error to send again."""
        with self.lock:
            self.statuses[response.status_code] += 1
            self.seconds[kind].append(response.elapsed.total_seconds())
            if self.retry_gateway_errors and response.status_code in GATEWAY_ERRORS:
                request = response.request
                self.gateway_errors.append(
                    (kind, request.method, request.path_url, response.status_code, sent, time.time())
                )
                return True
            if response.status_code not in expected:
                self.problems.append(
                    f"{kind} {response.request.method} {response.request.path_url}: "
                    f"{response.status_code}, expected {'/'.join(map(str, expected))}"
                )
            return False

    def failed(self, message: str) -> None:
        with self.lock:
            self.problems.append(message)


class Browser:
    """One applicant's browser: its cookies, its address, its CSRF token."""

    def __init__(self, base_url: str, address: str, ledger: Ledger):
        self.base_url = base_url
        self.ledger = ledger
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = address

    def get(self, kind: str, path: str, expected=(200,)) -> requests.Response:
        return self._send(kind, "GET", path, expected)

    def post(self, kind: str, path: str, data: dict, expected=(302,)) -> requests.Response:
        return self._send(kind, "POST", path, expected, data=data, headers={"Referer": self.base_url + path})

    def _send(self, kind: str, method: str, path: str, expected: tuple[int, ...], **kwargs) -> requests.Response:
        for attempt in range(2):
            time.sleep(attempt)  # the person clicks again a second later
            sent = time.time()
            try:
                response = self.http.request(method, self.base_url + path, allow_redirects=False, timeout=60, **kwargs)
            except requests.ConnectionError:
                if not self.ledger.retry_gateway_errors or attempt:
                    raise
                with self.ledger.lock:
                    self.ledger.gateway_errors.append((kind, method, path, 0, sent, time.time()))
                continue
            if not self.ledger.record(kind, response, expected, sent=sent):
                break
        return response

    def csrf(self, page: requests.Response) -> str:
        match = CSRF_RE.search(page.text)
        if not match:
            self.ledger.failed(f"no CSRF token on {page.request.path_url}")
            return ""
        return match.group(1)

    def sign_in(self, email: str, password: str) -> requests.Response:
        page = self.get("login form", "/accounts/login/")
        return self.post(
            "login",
            "/accounts/login/",
            {"csrfmiddlewaretoken": self.csrf(page), "login": email, "password": password},
            expected=(302, 200, 400),
        )


def _concurrently(count: int, action) -> list:
    results = [None] * count
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        results[i] = action()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def applicant_journey(base_url: str, fixture: Fixture, index: int, ledger: Ledger, until: float) -> None:
    user_id, email = fixture.users[index]
    browser = Browser(base_url, f"10.77.{index // 250}.{index % 250 + 1}", ledger)
    if browser.sign_in(email, PASSWORD).status_code != 302:
        ledger.failed(f"{email} could not sign in")
        return
    browser.get("search", f"/placements/?q=Loadtest{fixture.tag}")
    mine = fixture.sessions_of(index)
    for position, (session_id, listing_id) in enumerate(mine):
        browser.get("listing", f"/placements/{listing_id}/")
        page = browser.get("apply page", f"/applications/sessions/{session_id}/apply/")
        data = {"csrfmiddlewaretoken": browser.csrf(page)}

        def apply(path=f"/applications/sessions/{session_id}/apply/", data=data):
            return browser.post("apply", path, data)

        with ledger.lock:
            ledger.attempted.add((user_id, session_id))
        if position == 0:
            answers = [apply(), apply()]  # a double click
        elif position == 1:
            answers = _concurrently(CONCURRENT_CLICKS, apply)  # the same click from three tabs at once
        else:
            answers = [apply()]
        for answer in answers:
            match = APPLICATION_RE.search(answer.headers.get("Location", ""))
            if answer.status_code == 302 and match:
                with ledger.lock:
                    ledger.started[(user_id, session_id)].add(int(match.group(1)))
    for position, (session_id, _listing_id) in enumerate(mine):
        ids = ledger.started.get((user_id, session_id))
        if not ids:
            continue
        application_id = min(ids)
        page = browser.get("application page", f"/applications/{application_id}/")
        data = {
            "csrfmiddlewaretoken": browser.csrf(page),
            "personal_statement": "I want to learn US inpatient medicine.",
        }

        def submit(path=f"/applications/{application_id}/submit/", data=data):
            return browser.post("submit", path, data, expected=(302, 409))

        answers = _concurrently(2, submit) if position == 0 else [submit()]
        if any(
            a.status_code == 302 and a.headers.get("Location", "").endswith(f"/applications/{application_id}/")
            for a in answers
        ):
            with ledger.lock:
                ledger.submitted.add(application_id)
    # Keep the server busy with reading while the other applicants write, until the run's end.
    step = 0
    while time.monotonic() < until:
        session_id, listing_id = fixture.sessions[(index + step) % len(fixture.sessions)]
        browser.get("search", f"/placements/?q=internal+medicine&page={step % 3 + 1}")
        browser.get("listing", f"/placements/{listing_id}/")
        step += 1


def attacker(base_url: str, fixture: Fixture, ledger: Ledger) -> None:
    """Guesses one account's password from one address: allauth locks the account's logins (for 15
    minutes, see ACCOUNT_RATE_LIMITS), so that then even the right password is refused; never a 5xx."""
    browser = Browser(base_url, "10.99.0.1", ledger)
    for attempt in range(1, WRONG_PASSWORDS + 1):
        answer = browser.sign_in(fixture.victim, f"wrong-guess-{attempt}")
        if answer.status_code == 302:
            ledger.failed("the attacker signed in with a wrong password")
        if LOCKED in answer.text and ledger.rate_limited_at is None:
            ledger.rate_limited_at = attempt
    if ledger.rate_limited_at is None:
        ledger.failed(f"{WRONG_PASSWORDS} wrong passwords for one account were never rate-limited")
    elif browser.sign_in(fixture.victim, PASSWORD).status_code == 302:
        ledger.failed("the locked account signed in with its right password during the lockout")


# --- What the database holds -----------------------------------------------------------------------


def audit_applications(*, user_ids: list[int], started: dict, submitted: set) -> tuple[int, list[str]]:
    """Compare the database with what the applicants were told. Returns (applications checked, problems).

    `started` maps (user id, session id) to the application ids the answers named; `submitted` holds
    the ids answered "submitted"."""
    from django.db.models import Count, Q

    from applications.models import Application
    from applications.states import Status

    problems = []
    rows = list(
        Application.objects.filter(applicant_id__in=user_ids)
        .annotate(
            drafts=Count("events", filter=Q(events__to_status=Status.DRAFT)),
            submissions=Count("events", filter=Q(events__to_status=Status.SUBMITTED)),
        )
        .values("pk", "applicant_id", "session_id", "status", "drafts", "submissions")
    )
    held = defaultdict(list)
    for row in rows:
        held[(row["applicant_id"], row["session_id"])].append(row)
    for key, ids in started.items():
        found = held.get(key, [])
        if len(ids) != 1:
            problems.append(
                f"applicant {key[0]}, session {key[1]}: answers named {len(ids)} different applications {sorted(ids)}"
            )
        if len(found) != 1:
            problems.append(
                f"applicant {key[0]}, session {key[1]}: {len(found)} applications in the database, expected 1"
            )
        elif found[0]["pk"] not in ids:
            problems.append(
                f"applicant {key[0]}, session {key[1]}: the database holds {found[0]['pk']}, "
                f"answers named {sorted(ids)}"
            )
    for key, found in held.items():
        if key not in started:
            problems.append(f"applicant {key[0]}, session {key[1]}: {len(found)} application(s) nobody was told about")
    for row in rows:
        if row["drafts"] != 1:
            problems.append(f"application {row['pk']}: {row['drafts']} 'started' events, expected 1")
        expected_submissions = 1 if row["pk"] in submitted else 0
        if row["submissions"] != expected_submissions:
            problems.append(
                f"application {row['pk']}: {row['submissions']} submission events, expected {expected_submissions}"
            )
        if row["pk"] in submitted and row["status"] != Status.SUBMITTED:
            problems.append(f"application {row['pk']}: answered submitted, but its status is {row['status']}")
    return len(rows), problems


def audit_run(fixture: Fixture, ledger: Ledger) -> tuple[int, list[str]]:
    """Applications checked, and everything wrong with the run: what the browsers noticed, then
    what the database holds."""
    checked, problems = audit_applications(
        user_ids=[user_id for user_id, _ in fixture.users], started=ledger.started, submitted=ledger.submitted
    )
    missing = ledger.attempted - set(ledger.started)
    return checked, (
        ledger.problems
        + problems
        + [f"applicant {u}, session {s}: no request to start it succeeded" for u, s in sorted(missing)]
    )


# --- The run ------------------------------------------------------------------------------------------


def run_applicants(base_url: str, fixture: Fixture, ledger: Ledger, *, until: float) -> None:
    """Every applicant's journey, one thread each, and the attacker, against `base_url` until `until`."""
    threads = [
        threading.Thread(target=applicant_journey, args=(base_url, fixture, i, ledger, until))
        for i in range(len(fixture.users))
    ]
    threads.append(threading.Thread(target=attacker, args=(base_url, fixture, ledger)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def markdown(
    *,
    args,
    fixture: Fixture,
    ledger: Ledger,
    checked: int,
    problems: list[str],
    elapsed: float,
    logged_errors: int,
    load: str,
) -> str:
    total = sum(ledger.statuses.values())
    server_errors = sum(n for status, n in ledger.statuses.items() if status >= 500)
    verdict = "passed" if not problems else f"**FAILED** ({len(problems)} problems)"
    statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(ledger.statuses.items()))
    kinds = ", ".join(
        f"{kind} {len(times):,} (median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms)"
        for kind, times in sorted(ledger.seconds.items())
    )
    lines = [
        "## Load and abuse run (login, search, apply)",
        "",
        f"`make load-test` (`bench/load_test.py --users {args.users} --listings {args.listings} "
        f"--duration {args.duration} "
        f"--workers {args.workers}`), {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC}, {os.cpu_count()} cores, "
        f"load average at the end {load}. Gunicorn {args.workers} sync workers as in production (DEBUG off), "
        "PostgreSQL and Redis.",
        "",
        f"- Result: {verdict}, in {elapsed:.0f} s.",
        f"- Requests: {total:,}. By kind, with the server's response times: {kinds}.",
        f"- Answers by status: {statuses}. 5xx: {server_errors}. Errors in the server log: {logged_errors}.",
        f"- Applications checked in the database: {checked} ({len(ledger.attempted)} requested, "
        f"{len(ledger.submitted)} answered submitted), each exactly once with the id its answer named, "
        "one 'started' event each, one submission event for each submitted one, none unrequested.",
        f'- Double clicks: each applicant\'s first "Start my application" sent twice in a row, its second from '
        f"{CONCURRENT_CLICKS} concurrent requests, its first submit twice at once.",
        f"- Abuse: {WRONG_PASSWORDS} wrong passwords for one account from one address; allauth refused its logins "
        f'("{LOCKED}") from attempt {ledger.rate_limited_at}, the right password included.',
        "",
        "Differences from production, and why: plain HTTP on 127.0.0.1, so `DJANGO_SECURE_SSL_REDIRECT=0` and "
        "`DJANGO_SESSION_COOKIE_SECURE=0` (a client does not send Secure cookies over HTTP); "
        "`PORTAL_TRUSTED_PROXY_COUNT=1` with an `X-Forwarded-For` address per applicant, as behind one load "
        "balancer, so each applicant's login counts against its own address's limit (rate limits unchanged).",
        "",
    ]
    if problems:
        lines += ["Problems:", ""] + [f"- {p}" for p in problems[:50]] + [""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--users", type=int, default=30, help="simulated applicants, one thread each (default 30, at most 50)"
    )
    parser.add_argument("--listings", type=int, default=6, help="listings with one open session each (default 6)")
    parser.add_argument("--duration", type=int, default=30, help="seconds the applicants keep browsing (default 30)")
    parser.add_argument(
        "--workers", type=int, default=server.default_workers(), help="gunicorn workers (default 2 x cores + 1)"
    )
    args = parser.parse_args()
    if not 1 <= args.users <= 50 or args.listings < SESSIONS_PER_USER:
        parser.error(f"--users must be 1 to 50 and --listings at least {SESSIONS_PER_USER}")

    server.require_services()
    env = server.server_env(
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SESSION_COOKIE_SECURE="0",
        PORTAL_TRUSTED_PROXY_COUNT="1",
    )
    server.prepare(env)
    os.environ.update(env)
    import django

    django.setup()
    tag = f"{int(time.time())}{os.getpid() % 1000}"
    fixture = create_fixture(tag, args.users, args.listings)
    ledger = Ledger()
    log_path = OUT / "load-gunicorn.log"
    print(
        f"Load test {tag}: {args.users} applicants, {args.listings} sessions, {args.duration} s, "
        f"gunicorn {args.workers} workers",
        flush=True,
    )
    started_at = time.monotonic()
    with server.gunicorn(env, workers=args.workers, log_path=log_path) as base_url:
        run_applicants(base_url, fixture, ledger, until=started_at + args.duration)
    elapsed = time.monotonic() - started_at
    checked, problems = audit_run(fixture, ledger)
    problems += [f"{n} answers were {status}" for status, n in sorted(ledger.statuses.items()) if status >= 500]
    logged = server.logged_errors(log_path)
    if logged:
        problems.append(f"the server logged {logged} errors (see {log_path})")
    report = markdown(
        args=args,
        fixture=fixture,
        ledger=ledger,
        checked=checked,
        problems=problems,
        elapsed=elapsed,
        logged_errors=logged,
        load=server.load_average(),
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load.md").write_text(report)
    print(report)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
