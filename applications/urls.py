from django.urls import path

from . import coordinator_views as coordinator
from . import views

app_name = "applications"

urlpatterns = [
    # Applicants
    path("", views.dashboard, name="mine"),
    path("sessions/<int:session_id>/apply/", views.apply, name="apply"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/interview/book/", views.interview_book, name="interview_book"),
    path("<int:pk>/interview/request/", views.interview_request, name="interview_request"),
    path("<int:pk>/interview.ics", views.interview_calendar, name="interview_ics"),
    path("<int:pk>/checklist/<int:item_id>/", views.checklist_tick, name="checklist_tick"),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("<int:pk>/review/", views.review, name="review"),
    # Anyone
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    # Coordinators
    path("queue/", coordinator.queue, name="queue"),
    path("queue.csv", coordinator.queue_csv, name="queue_csv"),
    path("queue/bulk/", coordinator.queue_bulk, name="queue_bulk"),
    path("queue/<int:pk>/", coordinator.packet, name="packet"),
    path("queue/<int:pk>/move/", coordinator.move, name="move"),
    path("queue/<int:pk>/note/", coordinator.note, name="note"),
    path("queue/<int:pk>/score/", coordinator.score, name="score"),
    path("queue/<int:pk>/checklist/<int:item_id>/", coordinator.checklist_tick, name="coordinator_checklist_tick"),
    path("queue/<int:pk>/complete/", coordinator.complete, name="complete"),
    path("queue/<int:pk>/documents/<int:document_id>/", coordinator.document_download, name="coordinator_document"),
    path("queue/<int:pk>/interview.ics", coordinator.interview_calendar, name="coordinator_interview_ics"),
    path("coordinate/", coordinator.coordinator_dashboard, name="coordinator_dashboard"),
    path("coordinate/sessions/<int:session_id>/slots/", coordinator.slots, name="slots"),
    path("coordinate/slots/<int:slot_id>/cancel/", coordinator.slot_cancel, name="slot_cancel"),
    path("coordinate/sessions/<int:session_id>/waitlist/", coordinator.waitlist, name="waitlist"),
    path("coordinate/listings/<int:listing_id>/questions/", coordinator.questions, name="questions"),
    path(
        "coordinate/listings/<int:listing_id>/questions/<int:question_id>/delete/",
        coordinator.question_delete,
        name="question_delete",
    ),
    path("coordinate/reviews/<int:review_id>/reply/", coordinator.review_reply, name="review_reply"),
]
