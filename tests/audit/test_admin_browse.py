"""Admins browse the audit log by actor, subject, action and date, and export what they see."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_read, audit_record

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:audit_auditevent_changelist"
EXPORT = "admin:audit_auditevent_export"


@pytest.fixture
def log(applicant, other_applicant, coordinator):
    audit_read(reader=coordinator, action="document.downloaded", obj=applicant, subject=applicant, what="Passport")
    audit_read(reader=coordinator, action="application.viewed", obj=other_applicant, subject=other_applicant)
    audit_record(actor=applicant, action="login.succeeded", obj=applicant)


def _actions(client, **params) -> list[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return [e.action for e in response.context["cl"].result_list]


def test_an_admin_filters_by_actor_subject_action_and_date(client, admin_user, log, applicant, coordinator):
    client.force_login(admin_user)

    assert _actions(client, actor=coordinator.email) == ["application.viewed", "document.downloaded"]
    assert _actions(client, subject=applicant.email, actor=coordinator.email) == ["document.downloaded"]
    assert _actions(client, subject=str(applicant.pk), action="document.downloaded") == ["document.downloaded"]
    assert _actions(client, actor_role="coordinator", subject="nobody@example.org") == []
    today, yesterday = timezone.localdate(), timezone.localdate() - dt.timedelta(days=1)
    on = lambda day: {"when__year": day.year, "when__month": day.month, "when__day": day.day}  # noqa: E731
    assert len(_actions(client, actor=coordinator.email, **on(today))) == 2
    assert _actions(client, actor=coordinator.email, **on(yesterday)) == []
    page = client.get(reverse(CHANGELIST), {"actor": coordinator.email}).content.decode()
    assert 'name="subject"' in page and f'value="{coordinator.email}"' in page


def test_the_export_holds_the_filtered_events_neutralised_and_is_itself_audited(client, admin_user, log, coordinator):
    audit_record(actor=coordinator, action="document.downloaded", object_repr="=cmd|' /C calc'!A0")
    client.force_login(admin_user)

    response = client.get(reverse(EXPORT), {"actor": coordinator.email, "action": "document.downloaded"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["object"] for r in rows] == ["'=cmd|' /C calc'!A0", "Alice Applicant"]
    assert rows[1]["institution"] == "" and rows[1]["role"] == "coordinator"
    event = AuditEvent.objects.get(action="audit.exported")
    assert (event.actor, event.extra["rows"]) == (admin_user, 2)


@pytest.mark.parametrize("persona", ["applicant", "coordinator"])
def test_nobody_else_can_export_it(client, request, persona, log):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(EXPORT))
    assert response.status_code in (302, 403)
    assert "login.succeeded" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.exported").exists()
