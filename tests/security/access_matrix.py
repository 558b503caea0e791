"""Who may open each HTML route that takes an argument, as data: read by test_access_matrix_html.py.

A row names a route, the object it is requested with (from the `world` fixture), the personas
who get through (the owner) and the roles the view serves. Everyone else is refused, the way
`expected_refusal` says; a row may override that where the view answers otherwise by design.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

API_PREFIX = "api/v1/"  # the API has its own matrix: tests/api/test_access_matrix.py

PERSONAS = ("anonymous", "applicant", "other_applicant", "coordinator", "other_coordinator", "admin_user")
ADMIN_PERSONAS = ("admin_user",)
ROLE_OF = {
    "anonymous": "anonymous",
    "applicant": "applicant",
    "other_applicant": "applicant",
    "coordinator": "coordinator",
    "other_coordinator": "coordinator",
    "admin_user": "admin",
}
APPLICANT = ("applicant",)
COORDINATOR = ("coordinator",)
ROUND_STAFF = ("coordinator", "admin")
SIGNED_IN = ("applicant", "coordinator", "admin")
EVERYONE = ("anonymous", *SIGNED_IN)
LOGIN = "/accounts/login/?next="
ADMIN_LOGIN = "/admin/login/?next="

World = SimpleNamespace


@dataclass(frozen=True)
class Expected:
    status: int
    location: str | tuple[str, ...] | None = None  # where a redirect must lead (its start; a login page)
    says: str | None = None  # what a refusal page answered with 200 must say


def expected_refusal(persona: str, roles: tuple[str, ...]) -> Expected:
    role = ROLE_OF[persona]
    if role == "anonymous" and role not in roles:
        return Expected(302, LOGIN)
    if role not in roles:
        return Expected(403)
    return Expected(404)


def _nothing(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: Callable[[World], dict]
    allowed: tuple[str, ...]  # personas who get through: the owner, or every one of the role
    roles: tuple[str, ...]  # roles the view serves; another role gets 403, anonymous the login page
    methods: tuple[str, ...] = ("get",)
    data: Callable[[World], dict] = _nothing
    owner_get: int = 200
    variant: str = ""
    refusal: Callable[[str], Expected] | None = None  # when the view refuses otherwise by design

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def expected(self, persona: str) -> Expected:
        if self.refusal is not None and ROLE_OF[persona] != "anonymous":
            return self.refusal(persona)
        return expected_refusal(persona, self.roles)


def pk(attr: str, key: str = "pk") -> Callable[[World], dict]:
    """kwargs naming one object of the world by its pk: pk("application") -> {"pk": world.application.pk}."""

    def kwargs(world: World) -> dict:
        return {key: getattr(world, attr).pk}

    return kwargs


def pks(**keys: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        return {key: _dotted(world, attr) for key, attr in keys.items()}

    return kwargs


def _dotted(world: World, path: str) -> Any:
    value: Any = world
    for part in path.split("."):
        value = getattr(value, part)
    return value


A, C = ("applicant",), ("coordinator",)
LISTING_FORM = lambda w: {"title": "Changed by an outsider"}  # noqa: E731
MOVE = lambda w: {"to_status": "under_review", "message": "moved"}  # noqa: E731


def _round_dates() -> dict:
    """A valid round's moments as the form posts them: a refused edit is refused for who asks."""
    start = timezone.localtime() + dt.timedelta(days=20)
    return {
        name: (start + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
        for name, days in (("rank_deadline", 0), ("publish_at", 1), ("offer_deadline", 8))
    }


ROWS: list[Row] = [
    # accounts: a signed-in user's own sessions and API tokens
    Row("accounts:session_end", pk("alice_session", "session_id"), A, SIGNED_IN, ("post",)),
    Row(
        "api:token_revoke",
        pk("alice_token", "token_id"),
        A,
        SIGNED_IN,
        ("post",),
        # The revoke service only ever looks among the caller's own tokens: another's id changes nothing.
        refusal=lambda persona: Expected(302, "/accounts/api-tokens/"),
    ),
    # placements: a draft listing is its institution's until published
    Row("placements:listing", pk("draft_listing"), ("coordinator", "admin_user"), EVERYONE),  # admins moderate
    Row("placements:listing_edit", pk("draft_listing"), C, COORDINATOR, ("get", "post"), LISTING_FORM),
    Row("placements:listing_duplicate", pk("draft_listing"), C, COORDINATOR, ("post",)),
    Row("placements:listing_submit", pk("draft_listing"), C, COORDINATOR, ("post",)),
    Row("placements:listing_archive", pk("listing"), C, COORDINATOR, ("post",)),
    Row("placements:listing_reopen", pk("archived_listing"), C, COORDINATOR, ("post",)),
    # admins moderate every institution's listings, through the publishing rules
    Row("placements:moderation_publish", pk("draft_listing"), ADMIN_PERSONAS, ("admin",), ("post",)),
    Row("placements:moderation_unpublish", pk("listing"), ADMIN_PERSONAS, ("admin",), ("post",)),
    Row("placements:session_new", pk("listing"), C, COORDINATOR, ("get", "post"), lambda w: {"seats": "3"}),
    Row("placements:session_edit", pk("session"), C, COORDINATOR, ("get", "post"), lambda w: {"seats": "9"}),
    Row("placements:session_archive", pk("session"), C, COORDINATOR, ("post",)),
    Row(
        "placements:team_add",
        pk("institution", "institution_id"),
        C,
        COORDINATOR,
        ("get", "post"),
        lambda w: {"email": "bob@example.org"},
    ),
    # notifications: the recipient's own
    Row("notifications:open", pk("notification", "notification_id"), A, SIGNED_IN, owner_get=302),
    Row("notifications:read", pk("notification", "notification_id"), A, SIGNED_IN, ("post",)),
    # letters: the applicant's requests; the coordinator reads letters assigned to their applications
    Row("letters:resend", pk("letter_request", "request_id"), A, APPLICANT, ("post",)),
    Row("letters:revoke", pk("letter_request", "request_id"), A, APPLICANT, ("post",)),
    Row("letters:download", pk("open_letter_request", "request_id"), A, APPLICANT),
    Row(
        "letters:assign",
        pk("draft", "application_id"),
        A,
        APPLICANT,
        ("get", "post"),
        lambda w: {"letters": [w.letter_request.pk]},
    ),
    Row("letters:packet", pk("application", "application_id"), C, COORDINATOR),
    Row("letters:packet_read", pks(application_id="application.pk", request_id="letter_request.pk"), C, COORDINATOR),
    # applicants: documents are the owner's (and, once attached to an application, its programme's)
    Row(
        "applicants:document_replace",
        pk("document", "document_id"),
        A,
        APPLICANT,
        ("get", "post"),
        lambda w: {"issued_on": "2026-01-05"},
    ),
    Row("applicants:document_delete", pk("document", "document_id"), A, APPLICANT, ("post",)),
    Row("applicants:document_download", pk("version", "version_id"), A, SIGNED_IN),  # programmes: coordinator_document
    Row("applicants:saved_add", pk("listing", "listing_id"), ("applicant", "other_applicant"), APPLICANT, ("post",)),
    Row("applicants:saved_add", pk("draft_listing", "listing_id"), (), APPLICANT, ("post",), variant="draft"),
    Row("applicants:saved_remove", pk("listing", "listing_id"), ("applicant", "other_applicant"), APPLICANT, ("post",)),
    # alerts: an applicant's saved searches are their own
    Row(
        "alerts:saved_search_edit",
        pk("saved_search"),
        A,
        APPLICANT,
        ("post",),
        lambda w: {"name": "Hijacked", "frequency": "weekly"},
    ),
    Row("alerts:saved_search_pause", pk("saved_search"), A, APPLICANT, ("post",), lambda w: {"paused": "1"}),
    Row("alerts:saved_search_delete", pk("saved_search"), A, APPLICANT, ("get", "post")),
    # applications: the applicant's own; the queue is the institution's
    Row(
        "applications:apply",
        pk("open_session", "session_id"),
        ("applicant", "other_applicant"),
        APPLICANT,
        ("get",),
        owner_get=200,
    ),
    Row("applications:apply", pk("draft_session", "session_id"), (), APPLICANT, ("get", "post"), variant="draft"),
    Row("applications:detail", pk("draft"), A, APPLICANT, ("get",)),
    Row("applications:autosave", pk("draft"), A, APPLICANT, ("post",), lambda w: {"personal_statement": "hijacked"}),
    Row("applications:submit", pk("draft"), A, APPLICANT, ("post",)),
    Row("applications:respond", pk("offered"), A, APPLICANT, ("post",), lambda w: {"to_status": "accepted"}),
    Row("applications:interview_book", pk("application"), A, APPLICANT, ("post",), lambda w: {"slot": w.slot.pk}),
    Row(
        "applications:interview_request", pk("application"), A, APPLICANT, ("post",), lambda w: {"message": "Tuesdays"}
    ),
    Row("applications:interview_ics", pk("interviewed"), A, APPLICANT),
    Row(
        "applications:checklist_tick",
        pks(pk="completed.pk", item_id="applicant_item.pk"),
        A,
        APPLICANT,
        ("post",),
        lambda w: {"done": "1"},
    ),
    Row("applications:certificate", pk("completed"), A, APPLICANT),
    Row(
        "applications:review",
        pk("completed"),
        A,
        APPLICANT,
        ("get", "post"),
        lambda w: {"hands_on": "3", "letter_received": "on", "real_total_cost": "100", "comment": "x"},
    ),
    Row("applications:packet", pk("application"), C, COORDINATOR),
    Row("applications:move", pk("application"), C, COORDINATOR, ("post",), MOVE),
    Row("applications:note", pk("application"), C, COORDINATOR, ("post",), lambda w: {"body": "Strong"}),
    Row("applications:score", pk("application"), C, COORDINATOR, ("post",), lambda w: {"fit": "5"}),
    Row(
        "applications:coordinator_checklist_tick",
        pks(pk="completed.pk", item_id="coordinator_item.pk"),
        C,
        COORDINATOR,
        ("post",),
        lambda w: {"done": "1"},
    ),
    Row("applications:complete", pk("accepted"), C, COORDINATOR, ("post",), lambda w: {"evaluation": "Good"}),
    Row("applications:coordinator_document", pks(pk="application.pk", document_id="document.pk"), C, COORDINATOR),
    Row("applications:coordinator_interview_ics", pk("interviewed"), C, COORDINATOR),
    Row(
        "applications:slots",
        pk("session", "session_id"),
        C,
        COORDINATOR,
        ("get", "post"),
        lambda w: {"starts_at": "2027-01-05T10:00", "duration_minutes": "30", "where": "Room 1"},
    ),
    Row("applications:slot_cancel", pk("slot", "slot_id"), C, COORDINATOR, ("post",)),
    Row("applications:waitlist", pk("session", "session_id"), C, COORDINATOR, ("get", "post"), lambda w: {"order": ""}),
    Row(
        "applications:questions",
        pk("listing", "listing_id"),
        C,
        COORDINATOR,
        ("get", "post"),
        lambda w: {"prompt": "Injected?", "kind": "text"},
    ),
    Row(
        "applications:question_delete",
        pks(listing_id="listing.pk", question_id="question.pk"),
        C,
        COORDINATOR,
        ("post",),
    ),
    Row(
        "applications:review_reply", pk("review", "review_id"), C, COORDINATOR, ("post",), lambda w: {"reply": "Thanks"}
    ),
    # rounds: an applicant ranks in rounds they take part in; staff rank their institution's sessions
    Row(
        "rounds:applicant_rank", pk("round"), A, APPLICANT, ("get", "post"), lambda w: {"order": str(w.application.pk)}
    ),
    Row("rounds:round_detail", pk("round"), ("coordinator", "admin_user"), ROUND_STAFF),
    # only the round's institution's coordinators (and admins) edit or cancel it
    Row(
        "rounds:round_edit",
        pk("round"),
        ("coordinator", "admin_user"),
        ROUND_STAFF,
        ("get", "post"),
        lambda w: {"name": "Renamed by an outsider", "sessions": [w.session.pk], **_round_dates()},
    ),
    # Two rows: once cancelled (the coordinator's post), the confirmation page sends the admin back.
    Row("rounds:round_cancel", pk("round"), ("coordinator", "admin_user"), ROUND_STAFF),
    Row("rounds:round_cancel", pk("round"), ("coordinator", "admin_user"), ROUND_STAFF, ("post",), variant="post"),
    Row(
        "rounds:session_rank",
        pks(pk="round.pk", session_id="session.pk"),
        ("coordinator", "admin_user"),
        ROUND_STAFF,
        ("get", "post"),
        lambda w: {"order": str(w.application.pk)},
    ),
    Row(
        "rounds:session_import",
        pks(pk="round.pk", session_id="session.pk"),
        ("coordinator", "admin_user"),
        ROUND_STAFF,
        ("post",),
    ),
    # trust: the institution page is public; visa letters are the institution's (and the applicant's
    # own PDF); anyone signed in reports a published listing; admins resolve reports
    Row("trust:institution", lambda w: {"slug": w.institution.slug}, PERSONAS, EVERYONE),
    Row(
        "trust:letterhead",
        pk("institution", "institution_id"),
        C,
        COORDINATOR,
        ("get", "post"),
        lambda w: {"letterhead": "Forged", "signatory_name": "X", "signatory_title": "Y"},
    ),
    Row(
        "trust:visa_letters",
        pk("accepted"),
        C,
        COORDINATOR,
        ("get", "post"),
        lambda w: {"passport_number": "F1", "costs": "$0", "paid_by": "Nobody"},
    ),
    Row("trust:my_visa_letter", pk("accepted"), A, APPLICANT),
    Row("trust:visa_letter_pdf", pk("visa_letter", "letter_id"), C, COORDINATOR),
    Row("trust:visa_letter_revoke", pk("visa_letter", "letter_id"), C, COORDINATOR, ("post",)),
    Row(
        "trust:report",
        pk("listing"),
        tuple(p for p in PERSONAS if p != "anonymous"),
        SIGNED_IN,
        ("get", "post"),
        lambda w: {"field": "costs", "note": "Looks wrong"},
    ),
    Row("trust:report", pk("draft_listing"), (), SIGNED_IN, ("get", "post"), variant="draft"),
    Row("trust:listing_confirm", pk("listing"), C, COORDINATOR, ("get", "post")),
    Row(
        "trust:report_resolve",
        pk("report", "report_id"),
        ADMIN_PERSONAS,
        ("admin",),
        ("post",),
        lambda w: {"status": "dismissed", "resolution": "Forged"},
    ),
]


@dataclass(frozen=True)
class Public:
    """A route anyone may open with the right token or code: the token is the credential."""

    reason: str
    kwargs: Callable[[World], dict]
    forged_kwargs: dict
    methods: tuple[str, ...] = ("get",)
    forged_answer: dict | None = None  # method -> Expected, where the forged token is not simply a 404

    def refusal(self, method: str) -> Expected:
        return (self.forged_answer or {}).get(method, Expected(404))


PUBLIC: dict[str, Public] = {
    "applications:verify_code": Public(
        "Employers check a certificate's code; the page shows only what the certificate states.",
        lambda w: {"code": w.certificate.code},
        {"code": "FORG-EDCO-DE00"},
    ),
    "trust:verify_code": Public(
        "Consular officers check a visa letter's code; the page shows whether it stands, name, dates, institution.",
        lambda w: {"code": w.visa_letter.code},
        {"code": "V-FORG-EDCO-DE00"},
    ),
    "letters:write": Public(
        "The letter writer has no account: the signed, revocable link e-mailed to them is the credential.",
        lambda w: {"token": w.writer_token},
        {"token": "forged:token"},
    ),
    "letters:write_upload": Public(
        "The writer's upload, behind the same signed link.",
        lambda w: {"token": w.writer_token},
        {"token": "forged:token"},
        ("post",),
    ),
    "letters:write_decline": Public(
        "The writer declines, behind the same signed link.",
        lambda w: {"token": w.writer_token},
        {"token": "forged:token"},
        ("post",),
    ),
    "notifications:unsubscribe": Public(
        "One-click unsubscribe (RFC 8058): mail clients POST without cookies; the signed token names the user.",
        lambda w: {"token": w.unsubscribe_token},
        {"token": "forged.token.value"},
        ("get", "post"),
    ),
    "notifications:calendar": Public(
        "Calendar apps fetch the feed without cookies; the secret token is the credential.",
        lambda w: {"token": w.calendar_token},
        {"token": "forged-calendar-token"},
    ),
    "account_confirm_email": Public(
        "allauth's e-mail confirmation link: the HMAC key names the address.",
        lambda w: {"key": w.confirm_key},
        {"key": "forged-key"},
        ("get", "post"),
        {"get": Expected(200, says="This email confirmation link expired or is invalid")},
    ),
    "account_reset_password_from_key": Public(
        "allauth's password-reset link: the token is the credential.",
        lambda w: {"uidb36": w.reset_uid, "key": w.reset_key},
        {"uidb36": "1", "key": "forged-key"},
        ("get", "post"),
        {"get": Expected(200, says="Bad Token"), "post": Expected(200, says="Bad Token")},
    ),
}


@dataclass(frozen=True)
class SelfScoped:
    """A route whose argument names a part of the caller's own data, never another user's object."""

    reason: str
    persona: str
    kwargs: Callable[[World], dict]
    roles: tuple[str, ...]
    unknown: dict  # an argument naming nothing: 404


SELF_SCOPED: dict[str, SelfScoped] = {
    "applicants:profile_section": SelfScoped(
        "The slug names a section of the caller's own profile.",
        "applicant",
        lambda w: {"section": "exams"},
        APPLICANT,
        {"section": "no-such-section"},
    ),
}


# --- The Django admin: every model page is staff-only, whatever the object ---------------------


@dataclass(frozen=True)
class AdminRow:
    route: str
    name: str
    url: Callable[[World], str]
    methods: tuple[str, ...]
    admin_status: int | None  # what an admin gets (None: not asserted, e.g. the catch-all)
    group: str = "admin"

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def id(self) -> str:
        return self.key


def _admin_object(world: World, model) -> Any:
    return world.admin_objects[model._meta.label_lower]


def admin_rows() -> list[AdminRow]:
    """Four pages per registered model (change, history, delete, and the bare id that redirects to
    change), plus the admin's own routes that take an argument."""
    rows: list[AdminRow] = []
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"

        def url(view: str, model=model, info=info) -> Callable[[World], str]:
            return lambda w: reverse(f"admin:{info}_{view}", args=[_admin_object(w, model).pk])

        deletable = model_admin.has_delete_permission.__func__ is admin.ModelAdmin.has_delete_permission
        rows += [
            AdminRow(
                f"{base}<path:object_id>/change/", f"admin:{info}_change", url("change"), ("get", "post"), 200, base
            ),
            AdminRow(f"{base}<path:object_id>/history/", f"admin:{info}_history", url("history"), ("get",), 200, base),
            AdminRow(
                f"{base}<path:object_id>/delete/",
                f"admin:{info}_delete",
                url("delete"),
                ("get", "post"),
                200 if deletable else None,
                base,
            ),
            AdminRow(
                f"{base}<path:object_id>/",
                "",
                lambda w, model=model, base=base: f"/{base}{_admin_object(w, model).pk}/",
                ("get",),
                302,
                base,
            ),
        ]
    rows += [
        AdminRow(
            "admin/accounts/user/<id>/password/",
            "admin:auth_user_password_change",
            lambda w: reverse("admin:auth_user_password_change", args=[w.applicant.pk]),
            ("get", "post"),
            200,
        ),
        AdminRow(
            "admin/r/<path:content_type_id>/<path:object_id>/",
            "admin:view_on_site",
            lambda w: reverse("admin:view_on_site", args=[w.application_content_type, w.application.pk]),
            ("get",),
            302,
        ),
        AdminRow(
            "admin/^(?P<app_label>" + "|".join(_admin_app_labels()) + ")/$",
            "admin:app_list",
            lambda w: reverse("admin:app_list", args=["applicants"]),
            ("get",),
            200,
        ),
        AdminRow("admin/(?P<url>.*)$", "", lambda w: "/admin/applicants/document/no-such-page/", ("get",), None),
    ]
    return rows


def _admin_app_labels() -> list[str]:
    labels: list[str] = []
    for model in admin.site._registry:
        if model._meta.app_label not in labels:
            labels.append(model._meta.app_label)
    return labels


# --- Refusal cases: one per (route, outsider, method) ----------------------------------------


@dataclass(frozen=True)
class Case:
    group: str  # the route (or, in the admin, the model) whose test runs this case
    id: str
    persona: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict]
    expect: Callable[[World], Expected]

    def request(self, world: World, client) -> Any:
        return getattr(client, self.method)(self.url(world), self.data(world))

    def expected(self, world: World) -> Expected:
        return self.expect(world)


def refusal_groups() -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = {}
    for case in refusal_cases():
        groups.setdefault(case.group, []).append(case)
    return groups


def refusal_cases() -> list[Case]:
    cases: list[Case] = []
    for row in ROWS:
        for persona in PERSONAS:
            if persona in row.allowed:
                continue
            for method in row.methods:
                cases.append(
                    Case(
                        row.name,
                        f"{row.id} {method} as {persona}",
                        persona,
                        method,
                        lambda w, row=row: reverse(row.name, kwargs=row.kwargs(w)),
                        row.data,
                        lambda w, row=row, persona=persona: row.expected(persona),
                    )
                )
    for name, public in PUBLIC.items():
        for method in public.methods:
            cases.append(
                Case(
                    name,
                    f"{name} {method} forged",
                    "anonymous",
                    method,
                    lambda w, name=name, public=public: reverse(name, kwargs=public.forged_kwargs),
                    _nothing,
                    lambda w, public=public, method=method: public.refusal(method),
                )
            )
    for name, scoped in SELF_SCOPED.items():
        for persona in PERSONAS:
            if ROLE_OF[persona] in scoped.roles:
                kwargs, expect = scoped.unknown, Expected(404)
            else:
                kwargs, expect = scoped.kwargs, expected_refusal(persona, scoped.roles)
            for method in ("get", "post"):
                cases.append(
                    Case(
                        name,
                        f"{name} {method} as {persona}",
                        persona,
                        method,
                        lambda w, name=name, kwargs=kwargs: reverse(
                            name, kwargs=kwargs if isinstance(kwargs, dict) else kwargs(w)
                        ),
                        _nothing,
                        lambda w, expect=expect: expect,
                    )
                )
    for admin_row in admin_rows():
        for persona in PERSONAS:
            if persona in ADMIN_PERSONAS:
                continue
            for method in admin_row.methods:
                cases.append(
                    Case(
                        admin_row.group,
                        f"{admin_row.id} {method} as {persona}",
                        persona,
                        method,
                        admin_row.url,
                        _nothing,
                        lambda w, persona=persona: Expected(
                            302, (LOGIN, ADMIN_LOGIN) if persona == "anonymous" else ADMIN_LOGIN
                        ),
                    )
                )
    return cases


# --- What "nothing changed" means: every row of every table, but the sign-in bookkeeping ------

IGNORED_TABLES = {"django_session"}
IGNORED_FIELDS = {"last_login", "last_seen_at", "last_used_at"}


def database_snapshot() -> dict[str, list]:
    snapshot: dict[str, list] = {}
    for model in apps.get_models():
        if model._meta.db_table in IGNORED_TABLES or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED_FIELDS]
        snapshot[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return snapshot
