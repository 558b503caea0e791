"""The audit log: who did what, append-only, searchable by admins and nobody else."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.urls import reverse

from audit.context import AuditContextMiddleware, current_request
from audit.models import AuditEvent
from audit.querysets import AuditLogIsAppendOnly
from audit.services import audit_record
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_who_what_where_and_details(rf, applicant, coordinator):
    request = rf.get("/", HTTP_USER_AGENT="Firefox on Android", REMOTE_ADDR="203.0.113.9")

    event = audit_record(actor=coordinator, action="document.viewed", obj=applicant, request=request, kind="passport")

    event.refresh_from_db()
    assert (event.actor, event.actor_label, event.action) == (coordinator, coordinator.email, "document.viewed")
    assert (event.object_type, event.object_id) == ("accounts.user", str(applicant.pk))
    assert (event.ip, event.user_agent) == ("203.0.113.9", "Firefox on Android")
    assert event.extra == {"kind": "passport"}
    assert list(AuditEvent.objects.for_object(applicant)) == [event]


def test_a_service_called_during_a_request_gets_its_ip_without_being_handed_it(rf, applicant):
    request = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Safari")
    events = []

    def view(request):
        # What a service called by a view does: it knows the actor, not the request.
        events.append(audit_record(actor=applicant, action="document.viewed"))
        return HttpResponse()

    AuditContextMiddleware(view)(request)

    assert (events[0].ip, events[0].user_agent) == ("198.51.100.7", "Safari")
    assert current_request.get() is None  # nothing leaks into the next request


def test_logins_logouts_and_failed_logins_are_recorded(client, applicant):
    client.post(reverse("account_login"), {"login": applicant.email, "password": "wrong-password"})
    client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    client.post(reverse("account_logout"))

    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label"))
    assert actions == [("login.failed", ""), ("login.succeeded", applicant.email), ("logout", applicant.email)]
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.extra == {"login": applicant.email}
    assert failed.ip == "127.0.0.1"
    assert "wrong-password" not in str(failed.extra)


def test_an_admin_change_is_recorded(client, admin_user, applicant):
    client.force_login(admin_user)

    client.post(reverse("admin:accounts_user_delete", args=[applicant.pk]), {"post": "yes"})

    event = AuditEvent.objects.get(action="admin.deleted")
    assert event.actor == admin_user
    assert (event.object_type, event.object_id, event.object_repr) == (
        "accounts.user",
        str(applicant.pk),
        str(applicant),
    )


def test_a_bulk_admin_deletion_records_every_object(client, admin_user):
    users = UserFactory.create_batch(3)
    client.force_login(admin_user)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in users], "post": "yes"},
    )

    deleted = set(AuditEvent.objects.filter(action="admin.deleted").values_list("object_id", flat=True))
    assert deleted == {str(u.pk) for u in users}


def test_deleting_a_user_keeps_their_history(applicant):
    audit_record(actor=applicant, action="document.viewed")

    applicant.delete()

    event = AuditEvent.objects.get(action="document.viewed")
    assert event.actor_id is not None and event.actor_label == "alice@example.org"


class TestAppendOnly:
    def test_an_event_cannot_be_changed(self, applicant):
        event = audit_record(actor=applicant, action="letter.viewed")
        event.action = "nothing.happened"

        with pytest.raises(AuditLogIsAppendOnly):
            event.save()

    def test_an_event_cannot_be_deleted(self, applicant):
        event = audit_record(actor=applicant, action="letter.viewed")

        with pytest.raises(AuditLogIsAppendOnly):
            event.delete()
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_a_bulk_update_is_refused(self, applicant):
        audit_record(actor=applicant, action="letter.viewed")

        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.update(action="nothing.happened")
        assert AuditEvent.objects.get().action == "letter.viewed"

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
    @pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"])
    def test_postgresql_refuses_raw_sql_too(self, applicant, sql):
        audit_record(actor=applicant, action="letter.viewed")

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        assert AuditEvent.objects.get().action == "letter.viewed"


class TestAdminSearch:
    def test_an_admin_finds_events_by_address(self, client, admin_user, applicant, coordinator):
        audit_record(actor=coordinator, action="document.viewed", obj=applicant)
        audit_record(actor=applicant, action="application.submitted")
        client.force_login(admin_user)

        response = client.get(reverse("admin:audit_auditevent_changelist"), {"q": coordinator.email})

        assert response.status_code == 200
        assert [e.action for e in response.context["cl"].result_list] == ["document.viewed"]

    def test_the_log_is_read_only_even_for_admins(self, client, admin_user, applicant):
        event = audit_record(actor=applicant, action="letter.viewed")
        client.force_login(admin_user)

        change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "x"})
        assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
        assert (
            client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        )

        assert change.status_code == 403
        event.refresh_from_db()
        assert event.action == "letter.viewed"

    @pytest.mark.parametrize("persona", ["applicant", "coordinator"])
    def test_nobody_else_can_see_it(self, client, request, persona, applicant):
        audit_record(actor=applicant, action="letter.viewed")
        client.force_login(request.getfixturevalue(persona))

        response = client.get(reverse("admin:audit_auditevent_changelist"), follow=True)

        assert response.status_code == 403
        assert "letter.viewed" not in response.content.decode()

    def test_the_changelist_query_count_does_not_grow_with_the_log(
        self, client, admin_user, applicant, django_assert_max_num_queries
    ):
        client.force_login(admin_user)
        for n in (5, 50):
            for _ in range(n):
                audit_record(actor=applicant, action="document.viewed", obj=applicant)
            with django_assert_max_num_queries(16):
                assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
