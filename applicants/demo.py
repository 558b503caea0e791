"""The demo applicant's profile and documents, for `make run`. Idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from accounts import demo as account_demo
from placements.models import Specialty

from .models import ApplicantProfile, Document
from .services import document_upload, profile_update


def pdf(title: str, lines: list[str]) -> bytes:
    """A small real PDF: the demo's documents and letters pass the same upload checks as anyone's."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER)
    pdf.setTitle(title)
    y = 720
    for line in [title, "", *lines]:
        pdf.drawString(72, y, line)
        y -= 18
    pdf.save()
    return buffer.getvalue()


def ensure_demo_applicant() -> ApplicantProfile:
    user = account_demo.ensure_demo_user(account_demo.APPLICANT)
    profile, created = ApplicantProfile.objects.get_or_create(user=user)
    today = timezone.localdate()
    if created:
        profile_update(
            profile=profile,
            changes={
                "citizenship_country": "Nigeria",
                "residence_country": "Nigeria",
                "time_zone": "Africa/Lagos",
                "training_stage": "graduate",
                "medical_school": "University of Lagos College of Medicine",
                "medical_school_country": "Nigeria",
                "graduation_year": today.year - 2,
                "ecfmg_status": "in_progress",
                "usmle_id": "20458813",
                "step1_result": "pass",
                "step1_date": today - dt.timedelta(days=540),
                "step2ck_score": 241,
                "step2ck_date": today - dt.timedelta(days=200),
                "english_test": "oet",
                "english_test_date": today - dt.timedelta(days=300),
                "current_visa": "b1b2",
                "planned_visa": "b1b2",
                "specialties_of_interest": list(
                    Specialty.objects.filter(name__in=["Internal Medicine", "Cardiovascular Disease"])
                ),
                "preferred_states": ["IL", "FL", "TX"],
                "budget_usd": Decimal("3500"),
                "available_from": today + dt.timedelta(days=60),
                "available_until": today + dt.timedelta(days=240),
                "hands_on_preference": "either",
            },
        )
    if not Document.objects.filter(owner=user).exists():
        cv = pdf("Amina Okafor: Curriculum Vitae", ["MBBS, University of Lagos", "USMLE Step 1: Pass; Step 2 CK: 241"])
        document_upload(
            owner=user,
            kind="cv",
            upload=SimpleUploadedFile("Amina Okafor CV.pdf", cv),
            issued_on=today - dt.timedelta(days=20),
        )
        record = pdf(
            "Immunisation record", ["MMR x2", "Varicella x2", "Hepatitis B x3", "Tdap", "TB test (IGRA): negative"]
        )
        document_upload(
            owner=user,
            kind="immunisation_record",
            upload=SimpleUploadedFile("Immunisation record.pdf", record),
            issued_on=today - dt.timedelta(days=40),
            immunisations={
                "mmr": dt.date(2001, 6, 12),
                "varicella": dt.date(2002, 3, 3),
                "hepatitis_b": dt.date(2014, 9, 1),
                "tdap": today - dt.timedelta(days=3 * 365),
                "tb_test": today - dt.timedelta(days=40),
                "influenza": today - dt.timedelta(days=50),
                "covid19": today - dt.timedelta(days=200),
            },
        )
        for kind, title, issued, expires in [
            ("passport", "Passport (scan)", today - dt.timedelta(days=900), today + dt.timedelta(days=2700)),
            ("deans_letter", "Letter of good standing", today - dt.timedelta(days=60), None),
            ("bls", "BLS provider card", today - dt.timedelta(days=300), today + dt.timedelta(days=430)),
            (
                "health_insurance",
                "Travel health insurance",
                today - dt.timedelta(days=10),
                today + dt.timedelta(days=355),
            ),
            ("personal_statement", "Personal statement", today - dt.timedelta(days=15), None),
        ]:
            document_upload(
                owner=user,
                kind=kind,
                upload=SimpleUploadedFile(f"{title}.pdf", pdf(title, ["Amina Okafor"])),
                issued_on=issued,
                expires_on=expires,
            )
    return profile
