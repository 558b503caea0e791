"""Each rule of the eligibility engine, with its edge dates, in the words an applicant reads."""

import datetime as dt

import pytest

from applicants.eligibility import Code, evaluate, evaluate_many, format_period
from placements.models import DocumentRequirement, ImmunisationRequirement, Listing
from tests.applicants.factories import ApplicantProfileFactory, add_document
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

START = dt.date(2027, 3, 1)


@pytest.fixture
def profile():
    return ApplicantProfileFactory(graduation_year=2024)


def session_of(start=START, **listing_fields):
    visas = listing_fields.pop("visas", ["b1b2", "j1"])
    return SessionFactory(start_date=start, listing=ListingFactory(visas=visas, **listing_fields))


def codes(reasons):
    return [r.code for r in reasons]


def test_a_complete_profile_is_eligible_for_a_listing_without_requirements(profile):
    result = evaluate(profile=profile, session=session_of())

    assert result.eligible and result.status == "eligible"
    assert result.reasons == result.missing == []


def test_ecfmg_in_progress_is_refused_with_the_status_named(profile):
    profile.ecfmg_status = "in_progress"

    result = evaluate(profile=profile, session=session_of(requires_ecfmg_certification=True))

    assert not result.eligible and result.status == "not_eligible"
    assert [r.message for r in result.reasons] == ["Requires ECFMG certification: yours is in progress."]


def test_an_unknown_ecfmg_status_is_missing_data_not_a_refusal(profile):
    profile.ecfmg_status = ""

    result = evaluate(profile=profile, session=session_of(requires_ecfmg_certification=True))

    assert result.status == "incomplete" and result.reasons == []
    assert codes(result.missing) == [Code.ECFMG]
    assert result.missing[0].fix_section == "exams"


def test_step1_fail_is_refused_and_a_blank_result_is_missing(profile):
    session = session_of(requires_step1_pass=True)
    profile.step1_result = "fail"
    assert codes(evaluate(profile=profile, session=session).reasons) == [Code.STEP1]
    profile.step1_result = ""
    assert codes(evaluate(profile=profile, session=session).missing) == [Code.STEP1]


@pytest.mark.parametrize(("score", "status"), [(229, "not_eligible"), (230, "eligible"), (231, "eligible")])
def test_step2ck_minimum_is_inclusive(profile, score, status):
    profile.step2ck_score = score

    assert evaluate(profile=profile, session=session_of(min_step2_score=230)).status == status


def test_step2ck_messages_name_both_scores_or_ask_for_it(profile):
    session = session_of(min_step2_score=230)
    profile.step2ck_score = 221
    assert evaluate(profile=profile, session=session).reasons[0].message == (
        "Requires a Step 2 CK score of at least 230: yours is 221."
    )
    profile.step2ck_score = None
    assert evaluate(profile=profile, session=session).missing[0].message == (
        "Add your Step 2 CK score: this listing asks for 230 or more."
    )


def test_a_planned_visa_the_listing_does_not_accept_is_refused_in_plain_words(profile):
    profile.planned_visa = "f1"

    result = evaluate(profile=profile, session=session_of(visas=["j1", "b1b2"]))

    assert [r.message for r in result.reasons] == ["Accepts B-1/B-2 and J-1 visas: you plan F-1."]


def test_citizens_need_no_visa_and_a_listing_without_visas_accepts_all(profile):
    profile.planned_visa = "us"
    assert evaluate(profile=profile, session=session_of(visas=["j1"])).eligible
    profile.planned_visa = "f1"
    assert evaluate(profile=profile, session=session_of(visas=[])).eligible


def test_a_missing_planned_visa_is_asked_for(profile):
    profile.planned_visa = ""

    result = evaluate(profile=profile, session=session_of(visas=["j1"]))

    assert result.status == "incomplete"
    assert result.missing[0].message.startswith("Add the visa you will hold for the placement")


@pytest.mark.parametrize(
    ("level", "warned"),
    [(Listing.HandsOn.HANDS_ON, True), (Listing.HandsOn.MIXED, True), (Listing.HandsOn.OBSERVATIONAL, False)],
)
def test_a_b1b2_visitor_is_warned_on_hands_on_listings_but_may_apply(profile, level, warned):
    profile.planned_visa = "b1b2"

    result = evaluate(profile=profile, session=session_of(hands_on_level=level))

    assert result.eligible
    assert (codes(result.warnings) == [Code.HANDS_ON_VISITOR]) is warned


def test_students_and_graduates(profile):
    graduates_only = session_of(accepts_students=False)
    profile.training_stage = "student"
    assert evaluate(profile=profile, session=graduates_only).reasons[0].message == (
        "Open to graduates only: you are a medical student."
    )
    profile.training_stage = "graduate"
    assert codes(evaluate(profile=profile, session=session_of(accepts_graduates=False)).reasons) == [
        Code.TRAINING_STAGE
    ]
    profile.training_stage = ""
    assert codes(evaluate(profile=profile, session=graduates_only).missing) == [Code.TRAINING_STAGE]


@pytest.mark.parametrize(("graduated", "status"), [(2022, "eligible"), (2021, "not_eligible")])
def test_years_since_graduation_count_to_the_session_start_year(profile, graduated, status):
    profile.graduation_year = graduated

    result = evaluate(profile=profile, session=session_of(max_years_since_graduation=5))

    assert result.status == status
    if status == "not_eligible":
        assert result.reasons[0].message == (
            "Accepts graduates of the last 5 years: you graduated in 2021, 6 years before this session starts."
        )


def test_years_since_graduation_do_not_apply_to_students_and_a_missing_year_is_asked_for(profile):
    session = session_of(max_years_since_graduation=5)
    profile.graduation_year = None
    assert codes(evaluate(profile=profile, session=session).missing) == [Code.YEARS_SINCE_GRADUATION]
    profile.training_stage = "student"
    assert evaluate(profile=profile, session=session).eligible


def test_english_test(profile):
    session = session_of(english_test="oet")
    assert codes(evaluate(profile=profile, session=session).missing) == [Code.ENGLISH_TEST]
    profile.english_test = "toefl"
    assert evaluate(profile=profile, session=session).reasons[0].message == "Requires OET: you have TOEFL."
    profile.english_test = "oet"
    assert evaluate(profile=profile, session=session).eligible


# --- Documents: judged on the session's start date -------------------------------------------


def with_document_requirement(kind, valid_within_days=None, start=START):
    session = session_of(start=start)
    DocumentRequirement.objects.create(listing=session.listing, kind=kind, valid_within_days=valid_within_days)
    return session


def test_a_required_document_not_uploaded_is_asked_for(profile):
    result = evaluate(profile=profile, session=with_document_requirement("cv"))

    assert [r.message for r in result.missing] == ["Upload your CV."]
    assert result.missing[0].fix_document == "cv"


@pytest.mark.parametrize(
    ("expires_on", "status"),
    [(START - dt.timedelta(days=1), "not_eligible"), (START, "eligible"), (START + dt.timedelta(days=400), "eligible")],
)
def test_a_document_must_still_be_valid_on_the_first_day(profile, expires_on, status):
    add_document(profile.user, "bls", issued_on=dt.date(2026, 1, 10), expires_on=expires_on)

    result = evaluate(profile=profile, session=with_document_requirement("bls"))

    assert result.status == status


def test_an_expired_certificate_is_explained_with_both_dates(profile):
    add_document(profile.user, "bls", issued_on=dt.date(2025, 2, 10), expires_on=dt.date(2027, 2, 10))

    result = evaluate(profile=profile, session=with_document_requirement("bls"))

    assert [r.message for r in result.reasons] == [
        "Your BLS certificate expires 10 Feb 2027, before this session starts on 1 Mar 2027."
    ]


def test_a_document_expiring_during_the_session_is_a_warning(profile):
    session = with_document_requirement("health_insurance")
    add_document(profile.user, "health_insurance", expires_on=START + dt.timedelta(days=10))

    result = evaluate(profile=profile, session=session)

    assert result.eligible and codes(result.warnings) == [Code.DOCUMENT_EXPIRES_DURING]


@pytest.mark.parametrize(("days_before", "status"), [(730, "eligible"), (731, "not_eligible")])
def test_bls_within_two_years_of_the_start(profile, days_before, status):
    add_document(profile.user, "bls", issued_on=START - dt.timedelta(days=days_before))

    result = evaluate(profile=profile, session=with_document_requirement("bls", valid_within_days=730))

    assert result.status == status
    if status == "not_eligible":
        assert (
            "within 2 years before the session starts on 1 Mar 2027 (on or after 1 Mar 2025)"
            in result.reasons[0].message
        )


def test_a_validity_window_without_an_issue_date_asks_for_the_date(profile):
    add_document(profile.user, "background_check")

    result = evaluate(profile=profile, session=with_document_requirement("background_check", valid_within_days=365))

    assert result.status == "incomplete"
    assert result.missing[0].message.startswith("Add the issue date of your background check")


def test_any_one_valid_document_of_the_kind_suffices(profile):
    add_document(profile.user, "bls", issued_on=dt.date(2020, 1, 1))
    add_document(profile.user, "bls", issued_on=dt.date(2026, 6, 1))

    assert evaluate(profile=profile, session=with_document_requirement("bls", valid_within_days=730)).eligible


def test_the_judgement_date_is_the_session_start_not_today(profile):
    # Valid today, lapsed by the time a session two years out begins.
    add_document(profile.user, "bls", issued_on=dt.date.today() - dt.timedelta(days=30))
    later = with_document_requirement("bls", valid_within_days=730, start=dt.date.today() + dt.timedelta(days=720))

    assert evaluate(profile=profile, session=later).status == "not_eligible"
    assert evaluate(profile=profile, session=later, on=dt.date.today()).eligible


# --- Immunisations ---------------------------------------------------------------------------


def with_immunisation_requirement(immunisation, valid_within_days=None):
    session = session_of()
    ImmunisationRequirement.objects.create(
        listing=session.listing, immunisation=immunisation, valid_within_days=valid_within_days
    )
    return session


@pytest.mark.parametrize(
    ("window", "days_before", "status"),
    [(90, 90, "eligible"), (90, 91, "not_eligible"), (365, 365, "eligible"), (365, 366, "not_eligible")],
)
def test_tb_test_within_its_window_of_the_start(profile, window, days_before, status):
    add_document(profile.user, "immunisation_record", immunisations={"tb_test": START - dt.timedelta(days=days_before)})

    assert evaluate(profile=profile, session=with_immunisation_requirement("tb_test", window)).status == status


def test_an_old_tb_test_is_explained(profile):
    add_document(profile.user, "immunisation_record", immunisations={"tb_test": dt.date(2026, 11, 2)})

    result = evaluate(profile=profile, session=with_immunisation_requirement("tb_test", 90))

    assert result.reasons[0].message == (
        "Your TB test (PPD or IGRA) is dated 2 Nov 2026: this listing needs one within 90 days before the "
        "session starts on 1 Mar 2027 (on or after 1 Dec 2026)."
    )


@pytest.mark.parametrize(("days_before", "status"), [(3650, "eligible"), (3651, "not_eligible")])
def test_tdap_within_ten_years(profile, days_before, status):
    add_document(profile.user, "immunisation_record", immunisations={"tdap": START - dt.timedelta(days=days_before)})

    assert evaluate(profile=profile, session=with_immunisation_requirement("tdap", 3650)).status == status


def test_an_immunisation_no_record_shows_is_asked_for(profile):
    add_document(profile.user, "immunisation_record", immunisations={"mmr": dt.date(2010, 5, 1)})

    result = evaluate(profile=profile, session=with_immunisation_requirement("varicella"))

    assert [r.message for r in result.missing] == ["Upload an immunisation record that shows your Varicella."]
    assert result.missing[0].fix_document == "immunisation_record"


def test_the_latest_date_across_records_counts(profile):
    add_document(profile.user, "immunisation_record", immunisations={"tb_test": START - dt.timedelta(days=400)})
    add_document(profile.user, "immunisation_record", immunisations={"tb_test": START - dt.timedelta(days=20)})

    assert evaluate(profile=profile, session=with_immunisation_requirement("tb_test", 90)).eligible


def test_every_reason_is_listed_not_only_the_first(profile):
    profile.ecfmg_status = "in_progress"
    profile.planned_visa = "f1"
    profile.step2ck_score = None
    session = session_of(requires_ecfmg_certification=True, min_step2_score=220, visas=["j1"])

    result = evaluate(profile=profile, session=session)

    assert codes(result.reasons) == [Code.ECFMG, Code.VISA]
    assert codes(result.missing) == [Code.STEP2CK]


def test_evaluate_many_reads_a_fixed_number_of_queries(profile, django_assert_max_num_queries):
    add_document(profile.user, "immunisation_record", immunisations={"tb_test": START - dt.timedelta(days=20)})

    def sessions(n):
        made = []
        for _ in range(n):
            session = with_immunisation_requirement("tb_test", 90)
            DocumentRequirement.objects.create(listing=session.listing, kind="cv")
            made.append(session.pk)
        from placements.models import Session

        return list(Session.objects.filter(pk__in=made).select_related("listing"))

    for n in (2, 12):
        batch = sessions(n)
        with django_assert_max_num_queries(5):
            results = evaluate_many(profile, batch)
        assert len(results) == n
        assert all([r.message for r in res.missing] == ["Upload your CV."] for res in results.values())


def test_periods_read_as_people_write_them():
    assert [format_period(d) for d in (1, 90, 365, 730, 3650)] == ["1 day", "90 days", "1 year", "2 years", "10 years"]
