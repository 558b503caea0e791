"""Demo letter requests for the demo applicant: one letter uploaded, one link opened (pending), one
declined, each through the letters services.

Idempotent: a request is looked up by the writer's address before anything is created.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import demo as account_demo
from applicants.demo import pdf
from applicants.uploads import check_upload

from .models import LetterRequest
from .services import letter_request_create, letter_request_decline, letter_request_mark_opened, letter_upload

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


def ensure_demo_letters() -> list[LetterRequest]:
    """The demo applicant's letters. Before the demo applications: they send the uploaded one."""
    return _ensure_demo_applicant_letters()


def _ensure_demo_applicant_letters() -> list[LetterRequest]:
    """Through the services, as the applicant and the writers would: asked, then opened, uploaded
    or declined through the writer's side."""
    applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
    requests = []
    for index, (name, email, title, institution, relationship, status) in enumerate(DEMO_WRITERS):
        letter_request = LetterRequest.objects.filter(applicant=applicant, writer_email=email).first()
        if letter_request is None:
            letter_request = letter_request_create(
                applicant=applicant,
                writer_name=name,
                writer_email=email,
                writer_title=title,
                writer_institution=institution,
                relationship=relationship,
                waived=index != 1,
            )
            letter_request_mark_opened(letter_request=letter_request)
            if status == LetterRequest.Status.UPLOADED:
                content = pdf(
                    "Letter of recommendation",
                    [
                        "To the selection committee,",
                        f"I am pleased to recommend {applicant.get_full_name()}, who worked under my supervision",
                        "on the inpatient medicine service: excellent histories, presentations and rapport.",
                        name,
                    ],
                )
                upload = SimpleUploadedFile("letter.pdf", content)
                letter_upload(letter_request=letter_request, upload=upload, checked=check_upload(upload))
            elif status == LetterRequest.Status.DECLINED:
                letter_request_decline(
                    letter_request=letter_request,
                    message="I am on sabbatical until next spring and cannot write letters before then.",
                )
        requests.append(letter_request)
    return requests
