"""Files the portal hands out: the certificate of completion (PDF) and interview invitations (.ics)."""

import io

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .models import Application, Certificate, InterviewSlot


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=landscape(letter))
    pdf.setTitle(f"Certificate of completion {certificate.code}")
    width, height = landscape(letter)
    pdf.setLineWidth(3)
    pdf.rect(0.5 * inch, 0.5 * inch, width - inch, height - inch)
    lines = [
        ("Helvetica-Bold", 30, 6.3, "Certificate of Completion"),
        ("Helvetica", 14, 5.6, "This certifies that"),
        ("Helvetica-Bold", 24, 5.0, certificate.holder_name),
        ("Helvetica", 14, 4.4, "completed"),
        ("Helvetica-Bold", 18, 3.9, certificate.listing_title),
        ("Helvetica", 14, 3.4, f"at {certificate.institution_name}"),
        ("Helvetica", 14, 2.9, f"from {certificate.start_date:%B %d, %Y} to {certificate.end_date:%B %d, %Y}."),
        ("Helvetica", 11, 1.6, f"Verification code: {certificate.code}"),
        ("Helvetica", 11, 1.3, f"Check it at {verify_url}"),
        (
            "Helvetica",
            9,
            0.8,
            f"Issued {timezone.localtime(certificate.issued_at):%B %d, %Y} through {settings.PORTAL_NAME}.",
        ),
    ]
    for font, size, y, text in lines:
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y * inch, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def interview_ics(*, slot: InterviewSlot, application: Application) -> bytes:
    """One VEVENT in UTC: every calendar shows it in its owner's own time zone."""
    listing = application.session.listing
    calendar = Calendar()
    calendar.add("prodid", "-//USCE Portal//Interviews//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"interview-{slot.pk}-{application.pk}@usce-portal")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", f"Interview: {listing.title} ({listing.institution.name})")
    event.add("location", slot.where)
    event.add("description", f"Interview with {application.applicant.get_full_name()} for {listing.title}.")
    calendar.add_component(event)
    return calendar.to_ical()
