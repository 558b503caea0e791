#!/usr/bin/env python
"""Scale-out on one machine, with nodes killed under load: `make cluster-test`.

    make cluster-test           # DATABASE_URL (PostgreSQL, a database of its own) and REDIS_URL required
    .venv/bin/python bench/cluster.py --users 16 --duration 30

On 127.0.0.1, every port picked free at run time, with Debian's packages (the make target installs
haproxy, pgbouncer and wrk when missing):

* PgBouncer in transaction mode in front of the PostgreSQL of DATABASE_URL (its own config file and
  port in a temporary folder, auth trust for the URL's user); the portal runs with
  PORTAL_PG_POOLER=transaction after `manage.py pg_database_settings`;
* moto's standalone S3 server (the test server: a stand-in for S3 or any S3-compatible store) with the
  portal's S3 storage (django-storages, PORTAL_STORAGE=s3);
* two gunicorn nodes behind HAProxy, which health-checks /readyz;
* two Celery workers and one beat on the Redis of REDIS_URL (keys under this run's own prefix).

Then, in order: part of the suite through PgBouncer (tests/portal/test_pooler.py and others, on a
copy of the freshly migrated database); the cross-node checks (a session started on one node used
on the other, a login lockout started on one node holding on the other, a file uploaded through one
node read through the other); requests per second through HAProxy with one node and with two (wrk);
then the load test (bench/load_test.py) through HAProxy while this script kill -9s one web node and
one worker and restarts them, and runs a second beat for a while. Afterwards it checks that no
application was lost or doubled, that each submit told its applicant once (in-app and e-mail), that
each due reminder went out once, and that every 5xx was a request in flight on the killed node.
Prints the figures, writes bench/out/cluster.md (logs in bench/out/cluster/) and exits 1 on any
failure. Everything it started is stopped at the end, failure or not.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_test, server, throughput  # noqa: E402

ROOT = server.ROOT
OUT = ROOT / "bench" / "out"
LOGS = OUT / "cluster"
BUCKET = "usce-cluster"
# Part of the suite, through PgBouncer: what must hold behind a transaction pooler, the reminders'
# exactly-once claims (iterator(), conditional UPDATEs) and the seats' lock waits (SET LOCAL).
# The seats' tests first: they restore the database's serialized contents, which a flush by an earlier
# transactional test would have renumbered.
POOLED_TESTS = [
    "tests/applications/test_seats_concurrency.py",
    "tests/portal/test_pooler.py",
    "tests/portal/test_pg_database_settings.py",
    "tests/notifications/test_exactly_once.py",
]
# The smallest PDF the upload check (qpdf) opens: a catalogue, a page tree, one page.
PDF = (
    b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
REMINDER_HEADER = "X-USCE-Message"  # the outbox names each message's row
SESSION_CHECK = "a session started on node a is used on node b"
LOCKOUT_CHECK = "a login lockout started on node a holds on node b"
UPLOAD_CHECK = "a file uploaded through node a is read through both nodes (S3)"
# HAProxy's httplog line: ... backend/server Tr/Tw/Tc/Tr/Ta status bytes cookie cookie termination ...
HTTPLOG = re.compile(
    r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3})\] \S+ web/(\S+) \S+/(-?\d+) (\d{3}) \S+ \S+ \S+ (\S{4})"
)


# --- Processes -------------------------------------------------------------------------------------


@dataclass
class Part:
    """One process of the cluster: started in its own process group, so kill -9 takes all of it."""

    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None

    def start(self) -> Part:
        log = (LOGS / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def kill9(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill9()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def wait_for(what: str, condition, *, timeout: float, part: Part | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if part is not None and not part.alive():
            raise RuntimeError(f"{part.name} exited with status {part.process.returncode} (see {LOGS}/{part.name}.log)")
        with contextlib.suppress(OSError, urllib.error.URLError, requests.RequestException):
            if condition():
                return
        time.sleep(0.3)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def listening(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def ready(base_url: str) -> bool:
    with urllib.request.urlopen(base_url + "/readyz", timeout=5) as response:  # nosec B310 (127.0.0.1)
        return response.status == 200


# --- The parts' configuration ------------------------------------------------------------------------


def pgbouncer_ini(folder: Path, *, port: int, db_host: str, db_port: int, user: str) -> Path:
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
* = host={db_host} port={db_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
default_pool_size = 10
max_client_conn = 200
server_idle_timeout = 30
admin_users = {user}
; No ignore_startup_parameters: a client that still sent `options` (planner settings) would be
; refused here, loudly, instead of having them dropped.
"""
    )
    return ini


def haproxy_cfg(folder: Path, *, port: int, nodes: dict[str, int], maxconn: int) -> Path:
    servers = "\n".join(f"    server {name} 127.0.0.1:{node_port} check" for name, node_port in nodes.items())
    cfg = folder / "haproxy.cfg"
    cfg.write_text(
        f"""global
    log stdout format raw local0
    stats socket {folder / "haproxy.sock"} mode 600 level admin
    maxconn 1000

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A connection refused by a dead node is tried on the other; a request already sent is not
    # (a POST may have done its work): that one is a 502, counted.
    retries 2
    option redispatch 1

frontend portal
    bind 127.0.0.1:{port}
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    # Sync workers answer the check only between two requests: under load that takes a while, so a
    # slow answer is not a dead node (a dead one refuses the connection at once). Each node takes as
    # many requests as it has workers; the rest wait here, where a dead node's share moves on.
    timeout check 5s
    timeout queue 30s
    # The first connection a node refuses takes it out at once, before its checks fail.
    default-server inter 1s fall 2 rise 2 maxconn {maxconn} observe layer4 error-limit 1 on-error mark-down
{servers}
"""
    )
    return cfg


def haproxy_command(folder: Path, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(folder / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def haproxy_up(folder: Path) -> set[str]:
    """The web servers HAProxy would send a request to now."""
    lines = haproxy_command(folder, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return {
        r["svname"] for r in rows if r["pxname"] == "web" and r["svname"] not in ("BACKEND",) and r["status"] == "UP"
    }


def psql_args(db) -> list[str]:
    return ["psql", "-h", db.hostname or "127.0.0.1", "-p", str(db.port or 5432), "-U", db.username or "postgres"]


def with_database(url: str, *, host: str | None = None, port: int | None = None, name: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if host is not None:
        credentials = netloc.rsplit("@", 1)[0] + "@" if "@" in netloc else ""
        netloc = f"{credentials}{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{name}" if name else parts.path))


# --- The run's own data, beyond the load test's ------------------------------------------------------


def create_extra_fixture(fixture: load_test.Fixture, tag: str) -> tuple[str, list[int]]:
    """A second account to lock out across nodes, and three listings whose windows close in two and a
    half days, for the reminders (the applicants save them during the run). Returns (e-mail, sessions)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from placements.models import Listing, Session

    User = get_user_model()
    victim = User.objects.get(email=fixture.victim)
    other = User.objects.create(
        email=f"lockout.{tag}@load.usce-portal.test", full_name="Lockout", password=victim.password
    )
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    template = Listing.objects.get(pk=fixture.sessions[0][1])
    closes = timezone.now() + dt.timedelta(days=2, hours=12)
    sessions = []
    for i in range(3):
        listing = Listing.objects.create(
            institution=template.institution,
            kind=template.kind,
            title=f"Closingsoon{tag} Internal Medicine Observership {i}",
            specialty=template.specialty,
            description=template.description,
            hands_on_level=template.hands_on_level,
            duration_weeks=4,
            status="published",
            published_at=timezone.now(),
        )
        start = (closes + dt.timedelta(days=30)).date()
        sessions.append(
            Session.objects.create(
                listing=listing,
                start_date=start,
                end_date=start + dt.timedelta(days=27),
                seats=5,
                applications_open_at=closes - dt.timedelta(days=60),
                applications_close_at=closes,
            ).pk
        )
    # Beat ticks every two seconds for the run (production: five minutes), so the reminders go out within it.
    every_two_seconds, _ = IntervalSchedule.objects.get_or_create(every=2, period="seconds")
    PeriodicTask.objects.filter(task="notifications.reminders_tick").update(
        interval=every_two_seconds, expire_seconds=10
    )
    return other.email, sessions


def save_closing_listings(fixture: load_test.Fixture, sessions: list[int]) -> int:
    """Every applicant saves the three closing listings: one reminder each is due at the next tick."""
    from applicants.models import SavedListing
    from placements.models import Session

    listings = Session.objects.filter(pk__in=sessions).values_list("listing_id", flat=True)
    rows = [SavedListing(user_id=user_id, listing_id=listing) for user_id, _ in fixture.users for listing in listings]
    SavedListing.objects.bulk_create(rows)
    return len(rows)


# --- Cross-node checks ------------------------------------------------------------------------------


def browser_on(base_url: str, address: str, host: str) -> load_test.Browser:
    """A browser that talks to one node directly, with the Host header the load balancer passes on:
    allauth keys a login lockout by site and address (the site is the Host without django.contrib.sites)."""
    browser = load_test.Browser(base_url, address, load_test.Ledger())
    browser.http.headers["Host"] = host
    return browser


def check_session_across_nodes(a: str, b: str, host: str, email_address: str) -> str | None:
    browser = browser_on(a, "10.88.0.1", host)
    if browser.sign_in(email_address, load_test.PASSWORD).status_code != 302:
        return "could not sign in on node a"
    browser.base_url = b
    page = browser.get("documents", "/applicants/documents/")
    if page.status_code != 200:
        return f"signed in on node a, node b answered {page.status_code} ({page.headers.get('Location', '')})"
    return None


def check_lockout_across_nodes(a: str, b: str, host: str, email_address: str) -> str | None:
    attacker = browser_on(a, "10.88.0.2", host)
    for attempt in range(1, load_test.WRONG_PASSWORDS + 1):
        if load_test.LOCKED in attacker.sign_in(email_address, f"wrong-{attempt}").text:
            break
    else:
        return f"{load_test.WRONG_PASSWORDS} wrong passwords on node a never locked the account"
    owner = browser_on(b, "10.88.0.3", host)  # another address: the lock is on the account, not the address
    answer = owner.sign_in(email_address, load_test.PASSWORD)
    if answer.status_code == 302 or load_test.LOCKED not in answer.text:
        return f"locked on node a, node b let the right password in ({answer.status_code})"
    return None


def check_upload_across_nodes(a: str, b: str, host: str, email_address: str, user_id: int, s3) -> str | None:
    from applicants.models import DocumentVersion

    browser = browser_on(a, "10.88.0.4", host)
    if browser.sign_in(email_address, load_test.PASSWORD).status_code != 302:
        return "could not sign in on node a"
    page = browser.get("upload form", "/applicants/documents/upload/?kind=cv")
    response = browser.http.post(
        a + "/applicants/documents/upload/",
        data={"csrfmiddlewaretoken": browser.csrf(page), "kind": "cv"},
        files={"file": ("cluster-cv.pdf", PDF, "application/pdf")},
        headers={"Referer": a + "/applicants/documents/upload/"},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302:
        return f"the upload through node a answered {response.status_code}"
    version = DocumentVersion.objects.filter(document__owner_id=user_id).latest("pk")
    stored = s3.get_object(Bucket=BUCKET, Key=version.file.name)["Body"].read()
    if stored != PDF:
        return f"the bucket holds {len(stored)} bytes under {version.file.name}, not the upload"
    for name, base in (("b", b), ("a", a)):
        browser.base_url = base
        download = browser.get("download", f"/applicants/documents/versions/{version.pk}/download/")
        if download.status_code != 200 or download.content != PDF:
            return f"node {name} answered {download.status_code} with {len(download.content)} bytes for the upload"
    return None


# --- What was sent --------------------------------------------------------------------------------


def mailbox(folder: Path) -> list[email.message.Message]:
    """Every message the file backend wrote (each followed by a line of 79 dashes)."""
    messages = []
    for path in folder.glob("*.log"):
        for text in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if text.strip():
                messages.append(email.message_from_string(text.lstrip("\n")))
    return messages


def check_told_once(fixture: load_test.Fixture, messages: list) -> tuple[int, list[str]]:
    """Each submission event: exactly one in-app message and one e-mail to its applicant."""
    from applications.models import ApplicationEvent
    from notifications.models import Notification

    submitted = list(
        ApplicationEvent.objects.filter(
            application__applicant_id__in=[u for u, _ in fixture.users], to_status="submitted"
        ).values_list("application_id", "application__applicant__email", "application__session__listing__title")
    )
    in_app = Counter(
        Notification.objects.filter(kind="application_status", recipient_id__in=[u for u, _ in fixture.users])
        .values_list("url", flat=True)
        .iterator()
    )
    mails = Counter((m["To"], " ".join(str(m["Subject"]).split())) for m in messages if "Subject" in m)
    problems = []
    for application_id, address, title in submitted:
        told = in_app[f"/applications/{application_id}/"]
        mailed = sum(n for (to, subject), n in mails.items() if to == address and title in subject)
        if told != 1 or mailed != 1:
            problems.append(f"application {application_id}: {told} in-app messages and {mailed} e-mails for its submit")
    return len(submitted), problems


def check_reminders(fixture: load_test.Fixture, sessions: list[int], messages: list) -> tuple[int, list[str]]:
    from notifications.models import Reminder

    rows = list(
        Reminder.objects.filter(kind="window_closing", subject_id__in=sessions).values_list(
            "pk", "status", "recipient_id"
        )
    )
    sent = Counter(int(m[REMINDER_HEADER]) for m in messages if m[REMINDER_HEADER])
    problems = []
    expected = len(fixture.users) * len(sessions)
    if len(rows) != expected:
        problems.append(f"{len(rows)} reminders in the ledger, {expected} due")
    for pk, status, _recipient in rows:
        if status != Reminder.Status.SENT or sent[pk] != 1:
            problems.append(f"reminder {pk}: {status}, {sent[pk]} e-mails")
    return len(rows), problems


def reminders_done(sessions: list[int], expected: int) -> bool:
    from notifications.models import Reminder

    return Reminder.objects.filter(kind="window_closing", subject_id__in=sessions, status="sent").count() >= expected


def notifications_done(fixture: load_test.Fixture) -> bool:
    from applications.models import ApplicationEvent
    from notifications.models import Notification

    users = [u for u, _ in fixture.users]
    events = ApplicationEvent.objects.filter(application__applicant_id__in=users, to_status="submitted").count()
    return Notification.objects.filter(kind="application_status", recipient_id__in=users).count() >= events


@dataclass(frozen=True)
class GatewayError:
    """A 5xx in HAProxy's log: when HAProxy read the request and when it gave up on it."""

    received: float  # seconds since the epoch
    ended: float
    server: str
    status: int
    termination: str

    def __repr__(self) -> str:
        return f"<{self.status} {self.termination} from {self.server}, {utc(self.received)} to {utc(self.ended)}>"

    def in_flight_on(self, server: str, killed: float, dead: float, *, slack: float) -> bool:
        """Sent to `server` while it listened and still unanswered when it was killed.

        A request HAProxy read before the kill can have been with the node for seconds (a slow submit
        on a loaded machine), so the test is on the whole span, not on when it arrived. `SH`/`SD`: the
        node had accepted the connection and aborted it before or while answering (`SC` is a refusal).
        """
        return (
            self.server == server
            and self.termination[:2] in ("SH", "SD")
            and self.received <= dead + slack
            and self.ended >= killed - slack
        )


def utc(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%H:%M:%S.%f")[:-3]


def gateway_log(path: Path) -> list[GatewayError]:
    """Every request HAProxy logged with a 5xx."""
    rows = []
    for match in HTTPLOG.finditer(path.read_text(errors="replace")):
        received, server_name, active_ms, status, termination = match.groups()
        if int(status) >= 500:
            # HAProxy runs with TZ=UTC (haproxy_env), so its local dates are UTC.
            start = dt.datetime.strptime(received, "%d/%b/%Y:%H:%M:%S.%f").replace(tzinfo=dt.UTC).timestamp()
            ended = start + max(0, int(active_ms)) / 1000
            rows.append(GatewayError(start, ended, server_name, int(status), termination))
    return rows


# --- The run ------------------------------------------------------------------------------------------


@dataclass
class Faults:
    """What the fault thread did and when (wall clock, seconds since the epoch)."""

    events: list[tuple[float, str]] = field(default_factory=list)
    web_killed_epoch: float = 0.0
    # When kill9() returned: the node's listening socket is closed from then on.
    web_dead_epoch: float = 0.0
    started_at: float = field(default_factory=time.monotonic)
    errors: list[str] = field(default_factory=list)

    def log(self, what: str) -> None:
        self.events.append((time.monotonic() - self.started_at, what))
        print(f"  +{time.monotonic() - self.started_at:5.1f} s  {what}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=16, help="simulated applicants in the fault run (default 16)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of the fault run (default 30)")
    parser.add_argument("--node-workers", type=int, default=2, help="gunicorn workers per node (default 2)")
    parser.add_argument("--rate-seconds", type=int, default=6, help="seconds of each wrk measurement (default 6)")
    args = parser.parse_args()
    if args.duration < 30:
        parser.error("--duration must be at least 30 (the faults are scheduled over it)")
    for program in ("haproxy", "pgbouncer", "wrk"):
        if not shutil.which(program) and not Path(f"/usr/sbin/{program}").exists():
            sys.exit(f"{program} is not installed: apt-get install haproxy pgbouncer wrk (make cluster-test does).")
    database_url, redis_url = server.require_services()
    began = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    tag = f"{int(time.time())}{os.getpid() % 1000}"
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    folder = Path(tempfile.mkdtemp(prefix="usce-cluster-"))
    parts: list[Part] = []
    db = urlsplit(database_url)
    db_name = db.path.lstrip("/")
    test_db = f"test_{db_name}"
    ports = {name: server.free_port() for name in ("pgbouncer", "moto", "haproxy", "a", "b")}
    pooled_url = with_database(database_url, host="127.0.0.1", port=ports["pgbouncer"])
    mail = folder / "mail"
    mail.mkdir()
    s3_env = {
        "PORTAL_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['moto']}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "cluster-test",
        "AWS_SECRET_ACCESS_KEY": "cluster-test",  # nosec B105 (moto's test server takes any key)
    }
    direct_env = server.server_env(
        DJANGO_SETTINGS_MODULE="bench.cluster_settings",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SESSION_COOKIE_SECURE="0",
        PORTAL_TRUSTED_PROXY_COUNT="1",
        PORTAL_CACHE_PREFIX=f"cluster{tag}",
        PORTAL_CLUSTER_PREFIX=f"cluster{tag}:",
        DJANGO_EMAIL_FILE_PATH=str(mail),
        PORTAL_IT_SEND_SECONDS="0.05",
        PORTAL_SITE_URL=f"http://127.0.0.1:{ports['haproxy']}",
        **s3_env,
    )
    direct_env.pop("PORTAL_PG_POOLER", None)
    pooled_env = {**direct_env, "DATABASE_URL": pooled_url, "PORTAL_PG_POOLER": "transaction"}
    node_urls = {name: f"http://127.0.0.1:{ports[name]}" for name in ("a", "b")}
    base_url = f"http://127.0.0.1:{ports['haproxy']}"
    problems: list[str] = []
    figures: dict[str, object] = {}
    faults = Faults()

    def node(name: str) -> Part:
        command = server.gunicorn_command(port=ports[name], workers=args.node_workers)
        return Part(f"web-{name}", command, pooled_env)

    def celery(name: str, *extra: str) -> Part:
        return Part(name, [sys.executable, "-m", "celery", "-A", "portal", *extra], pooled_env)

    def worker(name: str) -> Part:
        return celery(
            name,
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            # Every queue: scanning, delivery (the outbox's `mail`) and the rest.
            "-Q",
            "celery,scan,mail",
            "-n",
            f"{name}@cluster{tag}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )

    def beat(name: str) -> Part:
        return celery(name, "beat", "--loglevel=WARNING", f"--pidfile={folder / name}.pid", f"-s={folder / name}")

    try:
        print(f"Cluster test {tag}: ports {ports}, logs in {LOGS}", flush=True)
        # --- Database: migrated directly; its planner settings stored on it; a copy for the suite.
        server.prepare(direct_env)
        # Part of the suite runs on a copy of this database: it must hold nothing but what migrations put there.
        users = subprocess.run(
            [*psql_args(db), "-d", db_name, "-Atc", "SELECT count(*) FROM accounts_user"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        if users != "0":
            sys.exit(f"{db_name} already holds {users} users: give bench/cluster.py an empty database of its own.")
        server.manage(direct_env, "pg_database_settings")
        psql = psql_args(db)
        subprocess.run([*psql, "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{test_db}"'], check=True)
        subprocess.run(
            [*psql, "-d", "postgres", "-qc", f'CREATE DATABASE "{test_db}" TEMPLATE "{db_name}"'], check=True
        )
        server.manage({**direct_env, "DATABASE_URL": with_database(database_url, name=test_db)}, "pg_database_settings")

        # --- PgBouncer, moto, and part of the suite through PgBouncer.
        ini = pgbouncer_ini(
            folder, port=ports["pgbouncer"], db_host=db.hostname or "127.0.0.1", db_port=db.port or 5432,
            user=db.username or "postgres",
        )  # fmt: skip
        pgbouncer = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        # PgBouncer refuses to run as root: as root (a CI container), it runs as Debian's postgres user.
        as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
        if as_user:
            folder.chmod(0o755)
        parts.append(Part("pgbouncer", [pgbouncer, *as_user, str(ini)], direct_env).start())
        parts.append(
            Part(
                "moto",
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports["moto"])],
                direct_env,
            ).start()
        )
        wait_for("PgBouncer", lambda: listening(ports["pgbouncer"]), timeout=20, part=parts[0])
        wait_for("moto", lambda: listening(ports["moto"]), timeout=60, part=parts[1])
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="cluster-test",
            aws_secret_access_key="cluster-test",  # nosec B106 (moto's test server)
        )
        s3.create_bucket(Bucket=BUCKET)
        print("Part of the suite through PgBouncer (transaction mode):", " ".join(POOLED_TESTS), flush=True)
        # The suite's own settings (portal.settings.test), on the copy of the database, through PgBouncer.
        suite_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "--reuse-db", "-p", "no:cacheprovider", *POOLED_TESTS],
            cwd=ROOT,
            env={**suite_env, "DATABASE_URL": pooled_url, "PORTAL_PG_POOLER": "transaction"},
            capture_output=True,
            text=True,
            timeout=240,
        )
        (LOGS / "pooled-suite.log").write_text(suite.stdout + suite.stderr)
        figures["pooled suite"] = (suite.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"  {figures['pooled suite']}", flush=True)
        if suite.returncode != 0:
            problems.append(
                f"the suite through PgBouncer failed: {figures['pooled suite']} (see {LOGS}/pooled-suite.log)"
            )

        # --- The run's data (this process talks to PostgreSQL directly, as a test harness).
        os.environ.update(direct_env)
        import django

        django.setup()
        fixture = load_test.create_fixture(tag, args.users, 6)
        lockout_email, closing_sessions = create_extra_fixture(fixture, tag)
        from django.db import connection

        connection.close()  # the template copy above is done; later queries open a fresh connection

        # --- Web nodes, HAProxy, workers, beat.
        nodes = {name: node(name).start() for name in ("a", "b")}
        parts.extend(nodes.values())
        for name, part in nodes.items():
            wait_for(f"node {name}'s /readyz", lambda url=node_urls[name]: ready(url), timeout=90, part=part)
        cfg = haproxy_cfg(
            folder, port=ports["haproxy"], nodes={name: ports[name] for name in nodes}, maxconn=args.node_workers
        )
        # Django sets this process's TZ to TIME_ZONE; HAProxy's log dates are read back as UTC.
        haproxy_env = {**direct_env, "TZ": "UTC"}
        haproxy = Part("haproxy", [shutil.which("haproxy") or "/usr/sbin/haproxy", "-f", str(cfg), "-db"], haproxy_env)
        parts.append(haproxy.start())
        wait_for("HAProxy to see both nodes up", lambda: haproxy_up(folder) == {"a", "b"}, timeout=30, part=haproxy)
        workers = {name: worker(name).start() for name in ("worker-1", "worker-2")}
        parts.extend(workers.values())
        beats = [beat("beat-1").start()]
        parts.extend(beats)
        print(f"Up: HAProxy {base_url}, nodes {node_urls}, PgBouncer :{ports['pgbouncer']}, moto :{ports['moto']}")

        # --- Across nodes: sessions, lockouts, uploads.
        user_id, user_email = fixture.users[0]
        a, b, host = node_urls["a"], node_urls["b"], f"127.0.0.1:{ports['haproxy']}"
        for what, check in (
            (SESSION_CHECK, lambda: check_session_across_nodes(a, b, host, user_email)),
            (LOCKOUT_CHECK, lambda: check_lockout_across_nodes(a, b, host, lockout_email)),
            (UPLOAD_CHECK, lambda: check_upload_across_nodes(a, b, host, user_email, user_id, s3)),
        ):
            failure = check()
            figures[what] = failure or "yes"
            print(f"  {what}: {figures[what]}", flush=True)
            if failure:
                problems.append(f"{what}: {failure}")

        # --- Requests per second through HAProxy, one node then two.
        paths = [f"/placements/?q=Loadtest{tag}"] + [f"/placements/{listing}/" for _, listing in fixture.sessions[:3]]
        throughput.check_paths(base_url, paths)
        rates = {}
        for label, command in (("one node", "disable server web/b"), ("two nodes", "enable server web/b")):
            haproxy_command(folder, command)
            if label == "two nodes":
                wait_for("node b back in rotation", lambda: haproxy_up(folder) == {"a", "b"}, timeout=20)
            throughput.wrk(base_url, paths, seconds=2, threads=2, connections=8)
            result = throughput.wrk(base_url, paths, seconds=args.rate_seconds, threads=2, connections=8)
            rates[label] = result
            rps = result["requests"] / (result["duration_us"] / 1e6)
            print(
                f"  {label}: {rps:.1f} req/s, p50 {result['p50_us'] / 1000:.0f} ms, "
                f"p99 {result['p99_us'] / 1000:.0f} ms, non-2xx {result['non2xx']}, load {server.load_average()}",
                flush=True,
            )
            if result["non2xx"] or result["socket_errors"]:
                problems.append(
                    f"wrk with {label}: {result['non2xx']} non-2xx, {result['socket_errors']} socket errors"
                )
        figures["rates"] = rates

        # --- The fault run: the load test through HAProxy, nodes and workers killed and restarted.
        ledger = load_test.Ledger(retry_gateway_errors=True)
        reminders_expected = len(fixture.users) * len(closing_sessions)
        print(f"Fault run: {args.users} applicants for {args.duration} s through HAProxy", flush=True)
        d = args.duration
        faults.started_at = time.monotonic()

        def fault_schedule() -> None:
            try:
                at = lambda seconds: time.sleep(max(0.0, seconds - (time.monotonic() - faults.started_at)))  # noqa: E731
                at(0.08 * d)
                beats.append(beat("beat-2").start())
                parts.append(beats[-1])
                faults.log("second beat started")
                at(0.15 * d)
                faults.web_killed_epoch = time.time()
                nodes["b"].kill9()
                faults.web_dead_epoch = time.time()
                faults.log("kill -9 web node b (gunicorn master and workers)")
                at(0.2 * d)
                faults.log(f"applicants save {save_closing_listings(fixture, closing_sessions)} closing listings")
                deadline = time.monotonic() + 0.2 * d
                while time.monotonic() < deadline and not reminders_done(closing_sessions, 3):
                    time.sleep(0.1)
                workers["worker-2"].kill9()
                faults.log("kill -9 worker-2 (Celery main process and its pool) while reminders go out")
                at(0.35 * d)
                nodes["b"].start()
                faults.log("web node b restarted")
                at(0.5 * d)
                workers["worker-2"].start()
                faults.log("worker-2 restarted")
                # A restarted node takes 5-15 s to import and pass two checks on a busy machine.
                while time.monotonic() - faults.started_at < 0.75 * d and "b" not in haproxy_up(folder):
                    time.sleep(0.3)
                if "b" in haproxy_up(folder):
                    faults.log("HAProxy sends to node b again")
                at(0.75 * d)
                beats[-1].stop()
                faults.log("second beat stopped")
                wait_for("node b back in rotation", lambda: "b" in haproxy_up(folder), timeout=0.25 * d + 30)
                if not any("node b again" in what for _at, what in faults.events):
                    faults.log("HAProxy sends to node b again")
            except Exception as exc:  # reported as a problem; the run goes on
                faults.errors.append(f"fault schedule: {exc}")
                faults.log(f"fault schedule failed: {exc}")

        fault_thread = threading.Thread(target=fault_schedule)
        fault_thread.start()
        load_test.run_applicants(base_url, fixture, ledger, until=faults.started_at + d)
        fault_thread.join()
        fault_run_seconds = time.monotonic() - faults.started_at
        problems += faults.errors

        # --- Let the workers finish (bounded), then count.
        drain_started = time.monotonic()
        with contextlib.suppress(RuntimeError):
            wait_for(
                "every reminder and every submit's message to go out",
                lambda: reminders_done(closing_sessions, reminders_expected) and notifications_done(fixture),
                timeout=45,
            )
        time.sleep(2)  # a batch redelivered late would show now
        figures["drain seconds"] = time.monotonic() - drain_started
        messages = mailbox(mail)
        checked, application_problems = load_test.audit_run(fixture, ledger)
        submits, told_problems = check_told_once(fixture, messages)
        reminders, reminder_problems = check_reminders(fixture, closing_sessions, messages)
        problems += application_problems + told_problems + reminder_problems
        # Every 5xx: a request HAProxy had sent to node b before it was killed.
        gateway = gateway_log(LOGS / "haproxy.log")
        # HAProxy dates a request when it reads it and times it to its end (Ta); the browsers' own
        # clocks are checked below.
        killed, dead = faults.web_killed_epoch, faults.web_dead_epoch or faults.web_killed_epoch
        stray = [row for row in gateway if not killed or not row.in_flight_on("b", killed, dead, slack=1.0)]
        server_errors = sum(n for status, n in ledger.statuses.items() if status >= 500)
        if stray:
            when = f"killed {utc(killed)}, dead {utc(dead)} UTC"
            problems.append(f"{len(stray)} 5xx not in flight on the killed node ({when}): {stray[:5]}")
        # What the browsers saw fail (a 5xx, or a connection closed without an answer): sent before the
        # kill, failed after it, so in flight when it happened (half a second either side for the clocks).
        kill = faults.web_killed_epoch
        not_in_flight = [e for e in ledger.gateway_errors if not (e[4] <= kill + 0.5 and e[5] >= kill - 0.5)]
        if not_in_flight:
            problems.append(f"{len(not_in_flight)} failed requests were not in flight at the kill: {not_in_flight[:5]}")
        if server_errors != len(gateway):
            problems.append(f"the applicants saw {server_errors} 5xx, HAProxy logged {len(gateway)}")
        logged = sum(server.logged_errors(LOGS / f"web-{name}.log") for name in nodes)
        if logged:
            problems.append(f"the web nodes logged {logged} errors (see {LOGS})")
        times = [t for kind_times in ledger.seconds.values() for t in kind_times]
        one = rates["one node"]["requests"] / (rates["one node"]["duration_us"] / 1e6)
        two = rates["two nodes"]["requests"] / (rates["two nodes"]["duration_us"] / 1e6)
        report = markdown(
            args=args,
            ledger=ledger,
            faults=faults,
            figures=figures,
            problems=problems,
            checked=checked,
            submits=submits,
            reminders=reminders,
            gateway=gateway,
            server_errors=server_errors,
            times=times,
            one=one,
            two=two,
            rates=rates,
            fault_run_seconds=fault_run_seconds,
            total_seconds=time.monotonic() - began,
        )
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "cluster.md").write_text(report)
        print(report)
        return 1 if problems else 0
    finally:
        for part in reversed(parts):
            part.stop()
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([*psql_args(db), "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{test_db}"'], check=False)


def markdown(*, args, ledger, faults, figures, problems, checked, submits, reminders, gateway, server_errors, times,
             one, two, rates, fault_run_seconds, total_seconds) -> str:  # fmt: skip
    verdict = "passed" if not problems else f"**FAILED** ({len(problems)} problems)"
    statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(ledger.statuses.items()))
    retried = Counter(f"{kind} {method}" for kind, method, *_rest in ledger.gateway_errors)
    aborted = sum(1 for error in ledger.gateway_errors if error[3] == 0)
    lines = [
        "## Cluster run: HAProxy, two nodes, PgBouncer, two workers, S3 (moto), faults under load",
        "",
        f"`make cluster-test` (`bench/cluster.py --users {args.users} --duration {args.duration} "
        f"--node-workers {args.node_workers}`), {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC}, {os.cpu_count()} cores "
        f"shared with everything else on the machine (figures are noisy), load average at the end "
        f"{server.load_average()}. Whole run {total_seconds:.0f} s.",
        "",
        f"- Result: {verdict}.",
        f"- Suite through PgBouncer (transaction mode): {figures.get('pooled suite')}.",
        f"- Sessions across nodes: {figures.get(SESSION_CHECK)}; "
        f"lockout across nodes: {figures.get(LOCKOUT_CHECK)}; "
        f"upload through a, read through b and a (S3 on moto): "
        f"{figures.get(UPLOAD_CHECK)}.",
        f"- Requests per second through HAProxy (search page and listings, wrk -c8, {args.rate_seconds} s): "
        f"one node {one:.1f} (p50 {rates['one node']['p50_us'] / 1000:.0f} ms), two nodes {two:.1f} "
        f"(p50 {rates['two nodes']['p50_us'] / 1000:.0f} ms): ratio {two / one:.2f}. Each node has "
        f"{args.node_workers} gunicorn workers; on 2 cores that also run PostgreSQL, PgBouncer, Redis, HAProxy, "
        "wrk and the other engineers' tests, a second node adds processes, not CPU: little scaling is expected.",
        f"- Fault run: {fault_run_seconds:.0f} s, {sum(ledger.statuses.values()):,} requests, p50 "
        f"{percentile(times, 50) * 1000:.0f} ms, p95 {percentile(times, 95) * 1000:.0f} ms "
        f"(median {statistics.median(times) * 1000:.0f} ms). Answers: {statuses}.",
        f"- Requests that failed, all in flight on node b when it was killed -9 (sent before, failed after): "
        f"{server_errors} 5xx ({len(gateway)} in HAProxy's log, termination states "
        f"{dict(Counter(row.termination for row in gateway)) or 'none'}) and {aborted} connections HAProxy closed "
        f"without an answer; each was sent once more by its browser ({dict(retried) or 'none'}).",
        f"- Applications: {checked} in the database for {len(ledger.attempted)} requested, each once with the id "
        f"its answer named, none unrequested; {submits} submits, each told once (one in-app message, one e-mail).",
        f"- Reminders: {reminders} due during the run, each sent once (ledger row 'sent', one e-mail with its "
        f"{REMINDER_HEADER} header), with a worker killed while they went out and two beats ticking for a while.",
        "- Faults, seconds into the run: " + "; ".join(f"+{at:.0f} s {what}" for at, what in faults.events) + ".",
        "",
        "Differences from production, and why: plain HTTP on 127.0.0.1 (no TLS, `DJANGO_SECURE_SSL_REDIRECT=0`); "
        "the simulated applicants set `X-Forwarded-For` themselves and HAProxy passes it on "
        "(`PORTAL_TRUSTED_PROXY_COUNT=1`), so each keeps its own address; recovery times shortened "
        "(bench/cluster_settings.py: visibility timeout 8 s, reminder lease 10 s); e-mail to files, 50 ms a message; "
        "moto's standalone server is the S3 test server.",
        "",
    ]
    if problems:
        lines += ["Problems:", ""] + [f"- {p}" for p in problems[:50]] + [""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
