import datetime as dt
import hashlib

import factory

from applicants.models import ApplicantProfile, Document, DocumentVersion, ImmunisationRecordEntry
from tests.accounts.factories import UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ApplicantProfileFactory(factory.django.DjangoModelFactory):
    """A complete, eligible-for-most graduate on a J-1."""

    class Meta:
        model = ApplicantProfile

    user = factory.SubFactory(UserFactory)
    citizenship_country = "Nigeria"
    residence_country = "Nigeria"
    time_zone = "Africa/Lagos"
    training_stage = "graduate"
    medical_school = "University of Lagos College of Medicine"
    medical_school_country = "Nigeria"
    graduation_year = factory.LazyFunction(lambda: dt.date.today().year - 2)
    ecfmg_status = "certified"
    usmle_id = "12345678"
    step1_result = "pass"
    step2ck_score = 245
    current_visa = "b1b2"
    planned_visa = "j1"


def add_document(user, kind, *, issued_on=None, expires_on=None, immunisations=None, name="scan.pdf"):
    """A document with one current version, as if uploaded (the file itself is not needed here)."""
    document = Document.objects.create(owner=user, kind=kind)
    return add_version(document, issued_on=issued_on, expires_on=expires_on, immunisations=immunisations, name=name)


def add_version(document, *, issued_on=None, expires_on=None, immunisations=None, name="scan.pdf"):
    number = document.versions.count() + 1
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        file=f"applicants/test-{document.pk}-{number}.pdf",
        original_name=name,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    for immunisation, date in (immunisations or {}).items():
        ImmunisationRecordEntry.objects.create(version=version, immunisation=immunisation, date=date)
    document.current_version = version
    document.save(update_fields=["current_version"])
    return version
