"""Demo letter requests for the demo applicant: one letter uploaded, one link opened, one declined.

Idempotent: a request is looked up by the writer's address before anything is created.
"""

import datetime as dt
import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from accounts import demo as account_demo

from .models import Letter, LetterLink, LetterRequest

DEMO_WRITERS = [
    # name, e-mail, title, institution, relationship, status
    (
        "Dr. Rajesh Iyer",
        "r.iyer@lakeshore-health.example.org",
        "Attending Physician, Internal Medicine",
        "Lakeshore University Medical Center, Chicago, IL",
        "Supervised my four-week inpatient medicine observership in 2025.",
        LetterRequest.Status.UPLOADED,
    ),
    (
        "Dr. Sarah Whitfield",
        "s.whitfield@bayview-health.example.org",
        "Program Director, Family Medicine",
        "Bayview Community Hospital, Tampa, FL",
        "Taught me in the family medicine clinic during my externship.",
        LetterRequest.Status.OPENED,
    ),
    (
        "Prof. Chinedu Eze",
        "c.eze@unn-medicine.example.org",
        "Professor of Medicine",
        "University of Nigeria Teaching Hospital, Enugu",
        "Head of the medicine department during my internship year.",
        LetterRequest.Status.DECLINED,
    ),
]


def _letter_pdf(writer: str, applicant: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER)
    pdf.setFont("Helvetica", 11)
    lines = [
        "Letter of recommendation",
        "",
        "To the selection committee,",
        f"I am pleased to recommend {applicant}, who worked under my supervision on the inpatient",
        "medicine service. Their history taking, presentations and rapport with patients were excellent.",
        "",
        "Sincerely,",
        writer,
    ]
    for number, line in enumerate(lines):
        pdf.drawString(72, 700 - 16 * number, line)
    pdf.save()
    return buffer.getvalue()


def ensure_demo_letters() -> list[LetterRequest]:
    """The demo applicant's letters. Before the demo applications: they send the uploaded one."""
    return _ensure_demo_applicant_letters()


def _ensure_demo_applicant_letters() -> list[LetterRequest]:
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    now = timezone.now()
    requests = []
    for index, (name, email, title, institution, relationship, status) in enumerate(DEMO_WRITERS):
        letter_request = LetterRequest.objects.filter(applicant=applicant, writer_email=email).first()
        if letter_request is None:
            sent_at = now - dt.timedelta(days=20 - index * 5)
            letter_request = LetterRequest.objects.create(
                applicant=applicant,
                writer_name=name,
                writer_email=email,
                writer_title=title,
                writer_institution=institution,
                relationship=relationship,
                waived=index != 1,
                created_at=sent_at,
                expires_at=sent_at + dt.timedelta(days=30),
            )
            LetterLink.objects.create(request=letter_request, created_at=sent_at, emailed_at=sent_at)
            _advance(letter_request, status, applicant, at=sent_at + dt.timedelta(days=3))
        requests.append(letter_request)
    return requests


def _advance(letter_request: LetterRequest, status: str, applicant, *, at) -> None:
    letter_request.opened_at = at
    letter_request.status = status
    fields = ["opened_at", "status"]
    if status == LetterRequest.Status.UPLOADED:
        content = _letter_pdf(letter_request.writer_name, applicant.get_full_name())
        name = default_storage.save(f"letters/demo-{letter_request.pk}.pdf", ContentFile(content))
        letter = Letter.objects.create(
            request=letter_request,
            file=name,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_at=at,
        )
        letter_request.current_letter, letter_request.uploaded_at = letter, at
        fields += ["current_letter", "uploaded_at"]
    elif status == LetterRequest.Status.DECLINED:
        letter_request.declined_at = at
        letter_request.decline_message = "I am on sabbatical until next spring and cannot write letters before then."
        fields += ["declined_at", "decline_message"]
    letter_request.save(update_fields=fields)
