"""The visa invitation letter as a PDF, drawn like the certificate of completion (applications.documents)."""

import io
import textwrap

from django.conf import settings
from django.utils import timezone
from reportlab.lib.pagesizes import letter as letter_size
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .models import VisaLetter


def _wrapped(text: str, width: int = 95) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def visa_letter_pdf(*, letter: VisaLetter, verify_url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter_size)
    pdf.setTitle(f"Visa invitation letter {letter.code}")
    width, height = letter_size
    y = height - 0.9 * inch

    def line(text: str, font: str = "Helvetica", size: int = 11, gap: float = 0.22) -> None:
        nonlocal y
        pdf.setFont(font, size)
        pdf.drawString(0.9 * inch, y, text)
        y -= gap * inch

    for head in letter.letterhead.splitlines():
        line(head, "Helvetica-Bold", 12, 0.2)
    y -= 0.2 * inch
    line(f"{timezone.localtime(letter.issued_at):%B %d, %Y}")
    line("To the Consular Officer, Embassy or Consulate of the United States of America")
    y -= 0.1 * inch
    line(f"Re: Invitation for {letter.holder_name}, passport number {letter.passport_number}", "Helvetica-Bold")
    y -= 0.1 * inch
    kind = "hands-on clinical" if letter.hands_on else "observational (no patient contact)"
    body = (
        f"{letter.institution_name} invites {letter.holder_name} (passport number {letter.passport_number}) "
        f"to take part in {letter.listing_title}, a {kind} programme, from {letter.start_date:%B %d, %Y} "
        f"to {letter.end_date:%B %d, %Y}. The visitor has been accepted and will not receive payment from us.\n"
        f"Costs: {letter.costs}. Paid by: {letter.paid_by}.\n"
        "We ask that the visitor be granted a B-1/B-2 visa for the duration of the programme."
    )
    for text in _wrapped(body):
        line(text)
    y -= 0.3 * inch
    line("Sincerely,")
    y -= 0.3 * inch
    line(letter.signatory_name, "Helvetica-Bold")
    line(f"{letter.signatory_title}, {letter.institution_name}")
    y = 1.3 * inch
    line(f"Verification code: {letter.code}", "Helvetica-Bold", 10, 0.2)
    line(f"Check this letter at {verify_url}", size=10, gap=0.2)
    line(f"Issued through {settings.PORTAL_NAME}.", size=9)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
