"""The eligibility engine: can this applicant apply to this session, and if not, exactly why.

Public interface: `evaluate(*, profile, session, on=None)`, `evaluate_many(profile, sessions,
on=None)` and the SQL filters `filter_eligible_sessions` / `filter_eligible_listings`. A result has
`reasons` (requirements not met), `missing` (what the portal needs before it can tell) and
`warnings`; it is eligible when reasons and missing are empty. Requirements are judged on the
session's start date (or `on`), never today's. The SQL filters cover the hard rules only; documents
and immunisations are judged by `evaluate`, so a session that passes a filter can still need one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from placements import accepted_visas
from placements.choices import VISITOR_VISAS, DocumentKind, EnglishTest, Immunisation, VisaStatus
from placements.models import DocumentRequirement, ImmunisationRequirement, Listing, Session

from .choices import EcfmgStatus, ExamResult, TrainingStage
from .models import ApplicantProfile, Document

# Short names read better inside a sentence than the full choice labels.
VISA_SHORT_NAMES = {
    VisaStatus.B1_B2: "B-1/B-2",
    VisaStatus.ESTA: "ESTA",
    VisaStatus.J1: "J-1",
    VisaStatus.F1: "F-1",
    VisaStatus.H1B: "H-1B",
    VisaStatus.EAD: "EAD",
    VisaStatus.US: "US citizenship or permanent residence",
}
VISA_ORDER = [code for code, _label in VisaStatus.choices]


class Code:
    """Stable identifiers of each rule, for code that reacts to a reason (links, filters, tests)."""

    TRAINING_STAGE = "training_stage"
    YEARS_SINCE_GRADUATION = "years_since_graduation"
    ECFMG = "ecfmg"
    STEP1 = "step1"
    STEP2CK = "step2ck"
    ENGLISH_TEST = "english_test"
    VISA = "visa"
    HANDS_ON_VISITOR = "hands_on_visitor"
    DOCUMENT = "document"
    DOCUMENT_EXPIRES_DURING = "document_expires_during"
    IMMUNISATION = "immunisation"


# The rules filter_eligible_* translate to SQL; a test keeps the two in agreement.
HARD_RULES = frozenset(
    {
        Code.TRAINING_STAGE,
        Code.YEARS_SINCE_GRADUATION,
        Code.ECFMG,
        Code.STEP1,
        Code.STEP2CK,
        Code.ENGLISH_TEST,
        Code.VISA,
    }
)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    # Where the applicant fixes it: a profile section ("exams") or a document kind ("bls").
    fix_section: str = ""
    fix_document: str = ""


@dataclass
class EligibilityResult:
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    missing: list[Reason] = field(default_factory=list)
    # The session judged, so a page can say "for the session starting 1 Mar 2027".
    session: Session | None = field(default=None, compare=False, repr=False)

    @property
    def eligible(self) -> bool:
        return not self.reasons and not self.missing

    @property
    def status(self) -> str:
        """ "eligible", "not_eligible" (a requirement is not met) or "incomplete" (we need more data)."""
        if self.reasons:
            return "not_eligible"
        return "incomplete" if self.missing else "eligible"

    @property
    def label(self) -> str:
        return {"eligible": _("Eligible"), "not_eligible": _("Not eligible"), "incomplete": _("Add details to check")}[
            self.status
        ]

    def all_messages(self) -> list[str]:
        return [r.message for r in (*self.reasons, *self.missing)]


# --- What the applicant holds, loaded once per evaluation batch ------------------------------


@dataclass
class ApplicantFacts:
    """The profile plus the current versions of the applicant's documents, read in two queries."""

    profile: ApplicantProfile
    # kind -> current versions of that kind's documents
    documents: dict[str, list[Any]]
    # immunisation -> latest date any current record proves
    immunisations: dict[str, dt.date]
    # Reasons that depend only on a requirement, made once per batch (one language per batch):
    # 200 candidates of "Matches for you" ask for the same few documents thousands of times, and a
    # Reason is frozen, so the results share one (fewer objects kept per request for the GC to walk).
    wording: dict[tuple[str, str], Reason] = field(default_factory=dict)

    @classmethod
    def load(cls, profile: ApplicantProfile) -> ApplicantFacts:
        documents: dict[str, list[Any]] = {}
        immunisations: dict[str, dt.date] = {}
        if profile.user_id:
            for document in Document.objects.owned_by(profile.user_id).with_current_files():
                version = document.current_version
                documents.setdefault(document.kind, []).append(version)
                for entry in version.immunisations.all():
                    if entry.immunisation not in immunisations or entry.date > immunisations[entry.immunisation]:
                        immunisations[entry.immunisation] = entry.date
        return cls(profile=profile, documents=documents, immunisations=immunisations)


# --- Wording helpers -------------------------------------------------------------------------


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def format_period(days: int) -> str:
    """730 -> "2 years", 90 -> "90 days": how requirements are usually written."""
    if days % 365 == 0:
        years = days // 365
        return _("1 year") if years == 1 else _("%(n)d years") % {"n": years}
    return _("1 day") if days == 1 else _("%(n)d days") % {"n": days}


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(head)s and %(last)s") % {"head": ", ".join(words[:-1]), "last": words[-1]}


def _doc_label(kind: str) -> str:
    """ "passport" inside a sentence; acronyms ("CV", "BLS certificate") stay as they are."""
    return _labels(get_language())[0][kind]


def _imm_label(immunisation: str) -> str:
    return _labels(get_language())[1][immunisation]


@functools.lru_cache(maxsize=32)
def _labels(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Document and immunisation labels in one language, translated once: "Matches for you"
    words the requirements of 200 sessions, thousands of labels a page."""
    documents = {}
    for kind, label in DocumentKind.choices:
        label = str(label)
        documents[kind] = label[0].lower() + label[1:] if label[1:2].islower() else label
    return documents, {code: str(label) for code, label in Immunisation.choices}


# --- The rules -------------------------------------------------------------------------------


def _check_training_stage(p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult) -> None:
    if listing.accepts_students and listing.accepts_graduates:
        return
    if not p.training_stage:
        result.missing.append(
            Reason(Code.TRAINING_STAGE, _("Tell us whether you are a medical student or a graduate."), "education")
        )
    elif p.training_stage == TrainingStage.STUDENT and not listing.accepts_students:
        result.reasons.append(
            Reason(Code.TRAINING_STAGE, _("Open to graduates only: you are a medical student."), "education")
        )
    elif p.training_stage == TrainingStage.GRADUATE and not listing.accepts_graduates:
        result.reasons.append(
            Reason(Code.TRAINING_STAGE, _("Open to medical students only: you have graduated."), "education")
        )


def _check_years_since_graduation(
    p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult
) -> None:
    limit = listing.max_years_since_graduation
    if limit is None or p.training_stage == TrainingStage.STUDENT:
        return
    if p.graduation_year is None:
        result.missing.append(
            Reason(
                Code.YEARS_SINCE_GRADUATION,
                _("Add your graduation year: this listing accepts graduates of the last %(n)d years.") % {"n": limit},
                "education",
            )
        )
        return
    years = start.year - p.graduation_year
    if years > limit:
        result.reasons.append(
            Reason(
                Code.YEARS_SINCE_GRADUATION,
                _(
                    "Accepts graduates of the last %(limit)d years: you graduated in %(year)d, %(years)d years "
                    "before this session starts."
                )
                % {"limit": limit, "year": p.graduation_year, "years": years},
                "education",
            )
        )


def _check_ecfmg(p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult) -> None:
    if not listing.requires_ecfmg_certification:
        return
    if not p.ecfmg_status:
        result.missing.append(
            Reason(Code.ECFMG, _("Add your ECFMG certification status: this listing requires certification."), "exams")
        )
    elif p.ecfmg_status != EcfmgStatus.CERTIFIED:
        result.reasons.append(
            Reason(
                Code.ECFMG,
                _("Requires ECFMG certification: yours is %(status)s.")
                % {"status": EcfmgStatus(p.ecfmg_status).label.lower()},
                "exams",
            )
        )


def _check_step1(p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult) -> None:
    if not listing.requires_step1_pass:
        return
    if not p.step1_result:
        result.missing.append(
            Reason(Code.STEP1, _("Add your USMLE Step 1 result: this listing requires a pass."), "exams")
        )
    elif p.step1_result != ExamResult.PASS:
        result.reasons.append(Reason(Code.STEP1, _("Requires a USMLE Step 1 pass: your result is a fail."), "exams"))


def _check_step2ck(p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult) -> None:
    minimum = listing.min_step2_score
    if minimum is None:
        return
    if p.step2ck_score is None:
        result.missing.append(
            Reason(
                Code.STEP2CK,
                _("Add your Step 2 CK score: this listing asks for %(min)d or more.") % {"min": minimum},
                "exams",
            )
        )
    elif p.step2ck_score < minimum:
        result.reasons.append(
            Reason(
                Code.STEP2CK,
                _("Requires a Step 2 CK score of at least %(min)d: yours is %(score)d.")
                % {"min": minimum, "score": p.step2ck_score},
                "exams",
            )
        )


def _check_english(p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult) -> None:
    test = listing.english_test
    if not test:
        return
    name = EnglishTest(test).label
    if not p.english_test:
        result.missing.append(
            Reason(
                Code.ENGLISH_TEST, _("Add your %(test)s result: this listing requires it.") % {"test": name}, "exams"
            )
        )
    elif p.english_test != test:
        result.reasons.append(
            Reason(
                Code.ENGLISH_TEST,
                _("Requires %(test)s: you have %(yours)s.")
                % {"test": name, "yours": EnglishTest(p.english_test).label},
                "exams",
            )
        )


def _accepted_visa_codes(listing: Listing, from_row: bool = False) -> list[str]:
    if from_row:  # the listing's own copy, read with it (placements.accepted_visas)
        codes = accepted_visas.codes(getattr(listing, accepted_visas.FIELD))
    else:
        codes = {visa.code for visa in listing.accepted_visas.all()}
    return [code for code in VISA_ORDER if code in codes]


def _check_visa(
    p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult, visas_from_row: bool = False
) -> None:
    accepted = _accepted_visa_codes(listing, visas_from_row)
    # No visa listed means the programme states no restriction; citizens and residents need none.
    if not accepted or p.planned_visa == VisaStatus.US or p.planned_visa in accepted:
        return
    # Worded only when there is something to say (most listings accept the applicant's visa).
    names = join_words([VISA_SHORT_NAMES[c] for c in accepted])
    noun = _("visa") if len(accepted) == 1 else _("visas")
    if not p.planned_visa:
        result.missing.append(
            Reason(
                Code.VISA,
                _("Add the visa you will hold for the placement: this listing accepts %(names)s %(noun)s.")
                % {"names": names, "noun": noun},
                "visa",
            )
        )
    elif p.planned_visa not in accepted:
        result.reasons.append(
            Reason(
                Code.VISA,
                _("Accepts %(names)s %(noun)s: you plan %(yours)s.")
                % {"names": names, "noun": noun, "yours": VISA_SHORT_NAMES[p.planned_visa]},
                "visa",
            )
        )


def _check_hands_on_visitor(p: ApplicantProfile, listing: Listing, start: dt.date, result: EligibilityResult) -> None:
    if p.planned_visa not in VISITOR_VISAS:
        return
    visa = VISA_SHORT_NAMES[p.planned_visa]
    if listing.hands_on_level == Listing.HandsOn.HANDS_ON:
        result.warnings.append(
            Reason(
                Code.HANDS_ON_VISITOR,
                _(
                    "This placement is hands-on, but as a %(visa)s visitor you may not take part in patient care: "
                    "ask the programme which visa it needs."
                )
                % {"visa": visa},
                "visa",
            )
        )
    elif listing.hands_on_level == Listing.HandsOn.MIXED:
        result.warnings.append(
            Reason(
                Code.HANDS_ON_VISITOR,
                _("Part of this placement is hands-on; as a %(visa)s visitor you may only observe.") % {"visa": visa},
                "visa",
            )
        )


def _version_problems(
    version: Any, kind: str, valid_within_days: int | None, start: dt.date
) -> tuple[list[Reason], list[Reason]]:
    """(reasons, missing) for one version of a document against one requirement."""
    reasons: list[Reason] = []
    missing: list[Reason] = []
    if version.expires_on and version.expires_on < start:
        reasons.append(
            Reason(
                Code.DOCUMENT,
                _("Your %(doc)s expires %(expiry)s, before this session starts on %(start)s.")
                % {"doc": _doc_label(kind), "expiry": format_date(version.expires_on), "start": format_date(start)},
                fix_document=kind,
            )
        )
    if valid_within_days is not None:
        earliest = start - dt.timedelta(days=valid_within_days)
        if version.issued_on is None:
            missing.append(
                Reason(
                    Code.DOCUMENT,
                    _(
                        "Add the issue date of your %(doc)s: this listing needs one issued within %(period)s before "
                        "the start."
                    )
                    % {"doc": _doc_label(kind), "period": format_period(valid_within_days)},
                    fix_document=kind,
                )
            )
        elif version.issued_on < earliest:
            reasons.append(
                Reason(
                    Code.DOCUMENT,
                    _(
                        "Your %(doc)s was issued %(issued)s: this listing needs one issued within %(period)s before "
                        "the session starts on %(start)s (on or after %(earliest)s)."
                    )
                    % {
                        "doc": _doc_label(kind),
                        "issued": format_date(version.issued_on),
                        "period": format_period(valid_within_days),
                        "start": format_date(start),
                        "earliest": format_date(earliest),
                    },
                    fix_document=kind,
                )
            )
    return reasons, missing


def _check_documents(
    facts: ApplicantFacts, requirements: Iterable[Any], session: Session, start: dt.date, result: EligibilityResult
) -> None:
    for requirement in requirements:
        kind = requirement.kind
        versions = facts.documents.get(kind, [])
        if not versions:
            reason = facts.wording.get(("upload", kind))
            if reason is None:
                reason = facts.wording[("upload", kind)] = Reason(
                    Code.DOCUMENT, _("Upload your %(doc)s.") % {"doc": _doc_label(kind)}, fix_document=kind
                )
            result.missing.append(reason)
            continue
        outcomes = [(v, *_version_problems(v, kind, requirement.valid_within_days, start)) for v in versions]
        good = [v for v, reasons, missing in outcomes if not reasons and not missing]
        if good:
            _warn_if_expiring_during(good, kind, session, start, result)
            continue
        # None will do: explain the newest one, the one the applicant most likely means.
        _v, reasons, missing = max(outcomes, key=lambda o: (o[0].issued_on or dt.date.min, o[0].uploaded_at))
        result.reasons.extend(reasons)
        result.missing.extend(missing)


def _warn_if_expiring_during(
    versions: list[Any], kind: str, session: Session, start: dt.date, result: EligibilityResult
) -> None:
    latest_expiry = max((v.expires_on or dt.date.max) for v in versions)
    if latest_expiry < session.end_date:
        result.warnings.append(
            Reason(
                Code.DOCUMENT_EXPIRES_DURING,
                _("Your %(doc)s expires %(expiry)s, before this session ends on %(end)s: renew it before you go.")
                % {"doc": _doc_label(kind), "expiry": format_date(latest_expiry), "end": format_date(session.end_date)},
                fix_document=kind,
            )
        )


def _check_immunisations(
    facts: ApplicantFacts, requirements: Iterable[Any], start: dt.date, result: EligibilityResult
) -> None:
    for requirement in requirements:
        proven_on = facts.immunisations.get(requirement.immunisation)
        if proven_on is None:
            reason = facts.wording.get(("immunisation", requirement.immunisation))
            if reason is None:
                name = _imm_label(requirement.immunisation)
                reason = facts.wording[("immunisation", requirement.immunisation)] = Reason(
                    Code.IMMUNISATION,
                    _("Upload an immunisation record that shows your %(imm)s.") % {"imm": name},
                    fix_document=DocumentKind.IMMUNISATION_RECORD,
                )
            result.missing.append(reason)
            continue
        days = requirement.valid_within_days
        if days is None:
            continue
        earliest = start - dt.timedelta(days=days)
        if proven_on < earliest:
            name = _imm_label(requirement.immunisation)
            result.reasons.append(
                Reason(
                    Code.IMMUNISATION,
                    _(
                        "Your %(imm)s is dated %(date)s: this listing needs one within %(period)s before the session "
                        "starts on %(start)s (on or after %(earliest)s)."
                    )
                    % {
                        "imm": name,
                        "date": format_date(proven_on),
                        "period": format_period(days),
                        "start": format_date(start),
                        "earliest": format_date(earliest),
                    },
                    fix_document=DocumentKind.IMMUNISATION_RECORD,
                )
            )


_PROFILE_RULES = (
    _check_training_stage,
    _check_years_since_graduation,
    _check_ecfmg,
    _check_step1,
    _check_step2ck,
    _check_english,
)


@dataclass(frozen=True)
class _Requirements:
    """A listing's document and immunisation requirements (model instances or rows with the same fields)."""

    documents: list[Any]
    immunisations: list[Any]


def _requirements_of(listing: Listing) -> _Requirements:
    return _Requirements(list(listing.document_requirements.all()), list(listing.immunisation_requirements.all()))


def _evaluate(
    facts: ApplicantFacts,
    session: Session,
    on: dt.date | None,
    requirements: _Requirements | None = None,
    visas_from_row: bool = False,
) -> EligibilityResult:
    listing = session.listing
    start = on or session.start_date
    result = EligibilityResult(session=session)
    profile = facts.profile
    for rule in _PROFILE_RULES:
        rule(profile, listing, start, result)
    _check_visa(profile, listing, start, result, visas_from_row)
    _check_hands_on_visitor(profile, listing, start, result)
    requirements = requirements or _requirements_of(listing)
    _check_documents(facts, requirements.documents, session, start, result)
    _check_immunisations(facts, requirements.immunisations, start, result)
    return result


# A requirement read as a row, for evaluate_many: the engine reads only these fields.
_DocumentRow = namedtuple("_DocumentRow", "kind valid_within_days")
_ImmunisationRow = namedtuple("_ImmunisationRow", "immunisation valid_within_days")


def _load_requirements(listings: list[Listing]) -> dict[int, _Requirements]:
    """Each listing's requirements: from the caller's prefetch when there is one, else two queries
    of plain rows for all of them (no model instances, no related manager per listing)."""
    found: dict[int, _Requirements] = {}
    to_read: set[int] = set()
    for listing in listings:
        cache = getattr(listing, "_prefetched_objects_cache", {})
        if "document_requirements" in cache and "immunisation_requirements" in cache:
            found.setdefault(listing.pk, _requirements_of(listing))
        else:
            to_read.add(listing.pk)
    to_read -= found.keys()
    if to_read:
        rows = {pk: _Requirements([], []) for pk in to_read}
        # Both tables in one query; in id order within a listing, as the prefetch read them (the
        # order of the messages).
        documents = (
            DocumentRequirement.objects.filter(listing_id__in=to_read)
            .order_by()
            .annotate(immunisation_table=Value(False))
            .values_list("immunisation_table", "pk", "listing_id", "kind", "valid_within_days")
        )
        immunisations = (
            ImmunisationRequirement.objects.filter(listing_id__in=to_read)
            .order_by()
            .annotate(immunisation_table=Value(True))
            .values_list("immunisation_table", "pk", "listing_id", "immunisation", "valid_within_days")
        )
        # A few distinct requirements (kind, period) recur across thousands of rows: one row object
        # each, shared (fewer objects kept per request for the GC to walk).
        shared: dict[tuple[bool, str, int | None], Any] = {}
        for immunisation_table, _pk, listing_id, name, days in sorted(documents.union(immunisations, all=True)):
            key = (immunisation_table, name, days)
            if key not in shared:
                shared[key] = _ImmunisationRow(name, days) if immunisation_table else _DocumentRow(name, days)
            (rows[listing_id].immunisations if immunisation_table else rows[listing_id].documents).append(shared[key])
        found.update(rows)
    return found


# --- Public interface ------------------------------------------------------------------------

LISTING_PREFETCH = ("accepted_visas", "document_requirements", "immunisation_requirements")


def evaluate(
    *, profile: ApplicantProfile, session: Session, on: dt.date | None = None, facts: ApplicantFacts | None = None
) -> EligibilityResult:
    """Evaluate every requirement of `session` against `profile`, judged on the session's start date.

    `on` overrides the judgement date; `facts` (from ApplicantFacts.load) saves the document
    queries when the caller evaluates several sessions itself.
    """
    return _evaluate(facts or ApplicantFacts.load(profile), session, on)


def evaluate_many(
    profile: ApplicantProfile, sessions: Iterable[Session], on: dt.date | None = None, *, visas_from_row: bool = False
) -> dict[int, EligibilityResult]:
    """Evaluate many sessions with a fixed number of queries, whatever their count.

    Loads the applicant's documents once and the listings' requirements in bulk (from the caller's
    prefetch when there is one). `visas_from_row`: read each listing's accepted visas from its own
    `accepted_visa_codes` (read with the listing, as the SQL filter reads it) instead of the m2m
    table, for callers that just read the listings and need no visa objects (one query fewer).
    """
    sessions = list(sessions)
    if not sessions:
        return {}
    listings = [s.listing for s in sessions]
    if not visas_from_row:
        prefetch_related_objects(listings, "accepted_visas")
    requirements = _load_requirements(listings)
    facts = ApplicantFacts.load(profile)
    return {
        session.pk: _evaluate(facts, session, on, requirements[session.listing.pk], visas_from_row)
        for session in sessions
    }


def evaluate_listings(
    profile: ApplicantProfile, listings: Iterable[Listing], now: dt.datetime | None = None
) -> dict[int, EligibilityResult]:
    """One result per listing, for its next session still taking applications (the one to apply to).

    Listings with no such session are left out. Their sessions are read in one query.
    """
    listings = list(listings)
    if not listings:
        return {}
    now = now or timezone.now()
    by_listing = {listing.pk: listing for listing in listings}
    next_sessions: dict[int, Session] = {}
    sessions = Session.objects.active().filter(
        listing_id__in=by_listing, applications_close_at__gt=now, start_date__gt=now.date()
    )
    for session in sessions.order_by("start_date", "pk"):
        next_sessions.setdefault(session.listing_id, session)
    for session in next_sessions.values():
        session.listing = by_listing[session.listing_id]
    results = evaluate_many(profile, next_sessions.values())
    return {session.listing_id: results[session.pk] for session in next_sessions.values()}


def eligible_listings_q(profile: ApplicantProfile, now: dt.datetime | None = None) -> Q:
    """The hard rules as a Q on Listing (graduation limit: on a session not yet started)."""
    q = _hard_rules_q(profile, "")
    if profile.training_stage != TrainingStage.STUDENT:
        years = Q(max_years_since_graduation__isnull=True)
        if profile.graduation_year is not None:
            years |= _graduation_year_q(profile.graduation_year, now or timezone.now())
        q &= years
    return q


def _upcoming_session_within_limit(graduation_year: int, today: dt.date) -> Exists:
    """A session of the listing, not archived, starting today or later, in a year the listing's limit
    allows: one index probe per listing (session_listing_upcoming)."""
    # Correlated on the outer listing's own column, so the subquery needs no join back to it.
    limit = OuterRef("max_years_since_graduation") + Value(graduation_year)
    sessions = Session.objects.active().filter(listing_id=OuterRef("pk"), start_date__gte=today)
    return Exists(sessions.alias(start_year=ExtractYear("start_date")).filter(start_year__lte=limit))


def _graduation_year_q(graduation_year: int, now: dt.datetime) -> Q:
    """ "The listing has a session not yet started (start >= today, local) in a year within its limit."

    On PostgreSQL read from the listing's stored next start S instead of one probe per listing. The
    sessions' trigger keeps S as the earliest live start on or after U0, the UTC date of the last write
    to them (U0 <= U, today's UTC date). So S >= today (T) answers on the row; S < T (not yet refreshed)
    keeps the probe, after a test on the row; and the sessions starting in [T, U), which S may miss
    (evenings in the Americas, when the UTC date is already tomorrow), are read once, not per listing,
    and their listings admitted by the same year test. SQLite has no trigger: there the probe stays.
    """
    today = timezone.localdate(now)
    if connection.vendor != "postgresql":
        return Q(_upcoming_session_within_limit(graduation_year, today))
    # start year - graduation year <= limit, written so that the column stays on one side.
    on_the_row = Q(
        stored_next_start__gte=today,
        max_years_since_graduation__gte=ExtractYear("stored_next_start") - Value(graduation_year),
    )
    # IS NOT NULL first: PostgreSQL stops an AND at its first false argument, not at a null one.
    passed = (
        Q(stored_next_start__isnull=False)
        & Q(stored_next_start__lt=today)
        & _upcoming_session_within_limit(graduation_year, today)
    )
    q = on_the_row | passed
    utc_today = now.astimezone(dt.UTC).date()
    day = today
    while day < utc_today:  # at most one day, cut at a new year so that each part has one year
        end = min(utc_today, dt.date(day.year + 1, 1, 1))
        starting = Session.objects.active().filter(start_date__gte=day, start_date__lt=end).values("listing_id")
        q |= Q(pk__in=starting, max_years_since_graduation__gte=day.year - graduation_year)
        day = end
    return q


def _hard_rules_q(profile: ApplicantProfile, listing_path: str) -> Q:
    """The hard rules as a Q on Listing fields reached through `listing_path` ("" or "listing__")."""

    def f(name: str) -> str:
        return f"{listing_path}{name}"

    q = Q()
    if profile.training_stage == TrainingStage.STUDENT:
        q &= Q(**{f("accepts_students"): True})
    elif profile.training_stage == TrainingStage.GRADUATE:
        q &= Q(**{f("accepts_graduates"): True})
    else:
        q &= Q(**{f("accepts_students"): True, f("accepts_graduates"): True})

    if profile.ecfmg_status != EcfmgStatus.CERTIFIED:
        q &= Q(**{f("requires_ecfmg_certification"): False})
    if profile.step1_result != ExamResult.PASS:
        q &= Q(**{f("requires_step1_pass"): False})
    step2 = Q(**{f("min_step2_score__isnull"): True})
    if profile.step2ck_score is not None:
        step2 |= Q(**{f("min_step2_score__lte"): profile.step2ck_score})
    q &= step2
    english = Q(**{f("english_test"): ""})
    if profile.english_test:
        english |= Q(**{f("english_test"): profile.english_test})
    q &= english

    if profile.planned_visa != VisaStatus.US:
        # On the listing's own copy of its visas: no subquery per listing (see placements.accepted_visas).
        if profile.planned_visa:
            q &= accepted_visas.accepts_q(profile.planned_visa, listing_path)
        else:
            q &= Q(**{f(accepted_visas.FIELD): ""})
    return q


def _years_q_for_sessions(profile: ApplicantProfile) -> Q:
    if profile.training_stage == TrainingStage.STUDENT:
        return Q()
    q = Q(listing__max_years_since_graduation__isnull=True)
    if profile.graduation_year is not None:
        # start year - graduation year <= limit, written so that the column stays on one side.
        q |= Q(listing__max_years_since_graduation__gte=ExtractYear("start_date") - Value(profile.graduation_year))
    return q


def filter_eligible_sessions(queryset: QuerySet[Session], profile: ApplicantProfile) -> QuerySet[Session]:
    """Sessions whose hard requirements this profile meets, decided in the database."""
    return queryset.filter(_hard_rules_q(profile, "listing__") & _years_q_for_sessions(profile))


def filter_eligible_listings(queryset: QuerySet[Listing], profile: ApplicantProfile) -> QuerySet[Listing]:
    """Listings whose hard requirements this profile meets, decided in the database."""
    return queryset.filter(eligible_listings_q(profile))
