"""Reports of wrong information: anyone signed in reports, the coordinators are told, admins resolve,
the listing shows that a correction was made and when."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from trust.models import ListingReport
from trust.services import TrustError, listing_report_create, listing_report_resolve

pytestmark = pytest.mark.django_db


def test_a_signed_in_applicant_reports_and_the_coordinators_are_told(
    client, listing, applicant, coordinator, other_coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trust:report", args=[listing.pk]), {"field": "costs", "note": "The fee is $150 now."}
        )

    assert response.status_code == 302
    report = ListingReport.objects.get()
    assert (report.field, report.note, report.reporter, report.status) == (
        "costs",
        "The fee is $150 now.",
        applicant,
        "open",
    )
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert "The fee is $150 now." in mailoutbox[0].body
    assert Notification.objects.filter(recipient=coordinator, kind="listing_report").count() == 1
    assert not Notification.objects.filter(recipient=other_coordinator).exists()


def test_a_double_click_records_one_report(listing, applicant):
    first = listing_report_create(listing=listing, reporter=applicant, field="visas", note="J-1 not accepted")
    again = listing_report_create(listing=listing, reporter=applicant, field="visas", note="J-1  not accepted ")
    assert first == again and ListingReport.objects.count() == 1


def test_an_empty_note_is_refused_with_a_message_and_keeps_the_choice(client, listing, applicant):
    client.force_login(applicant)
    response = client.post(reverse("trust:report", args=[listing.pk]), {"field": "visas", "note": ""})
    assert response.status_code == 400 and ListingReport.objects.count() == 0
    assert 'value="visas" selected' in response.content.decode()


def test_anonymous_visitors_are_asked_to_sign_in(client, listing):
    response = client.get(reverse("trust:report", args=[listing.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert (
        "Sign in to report wrong information"
        in client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    )


def test_an_admin_resolves_from_the_queue_and_the_listing_shows_the_correction(client, listing, applicant, admin_user):
    report = listing_report_create(listing=listing, reporter=applicant, field="costs", note="Fee changed")
    client.force_login(admin_user)
    assert "Fee changed" in client.get(reverse("trust:reports")).content.decode()

    client.post(reverse("trust:report_resolve", args=[report.pk]), {"status": "corrected", "resolution": "Fee updated"})

    report.refresh_from_db()
    assert (report.status, report.resolution, report.resolved_by) == ("corrected", "Fee updated", admin_user)
    assert AuditEvent.objects.filter(action="listing_report.corrected", object_id=str(report.pk)).exists()
    page = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert f"A correction was made after a report on {timezone.localtime(report.resolved_at):%-d %b %Y}" in page


def test_a_dismissed_report_shows_no_correction(client, listing, applicant, admin_user):
    report = listing_report_create(listing=listing, reporter=applicant, field="costs", note="Fee changed")
    listing_report_resolve(report_id=report.pk, actor=admin_user, status="dismissed", resolution="It is right")
    assert "A correction was made" not in client.get(reverse("placements:listing", args=[listing.pk])).content.decode()


def test_only_admins_resolve_and_only_once(listing, applicant, coordinator, admin_user):
    report = listing_report_create(listing=listing, reporter=applicant, field="costs", note="Fee changed")
    with pytest.raises(TrustError, match="Only admins"):
        listing_report_resolve(report_id=report.pk, actor=coordinator, status="corrected", resolution="x")
    with pytest.raises(TrustError, match="Say what was done"):
        listing_report_resolve(report_id=report.pk, actor=admin_user, status="corrected", resolution=" ")
    listing_report_resolve(report_id=report.pk, actor=admin_user, status="corrected", resolution="Done")
    with pytest.raises(TrustError, match="already resolved"):
        listing_report_resolve(report_id=report.pk, actor=admin_user, status="dismissed", resolution="Again")


def test_the_queue_is_for_admins(client, coordinator, applicant):
    for user in (coordinator, applicant):
        client.force_login(user)
        assert client.get(reverse("trust:reports")).status_code == 403
