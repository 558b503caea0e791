from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("", views.letter_list, name="list"),
    path("new/", views.letter_new, name="new"),
    path("<int:request_id>/resend/", views.letter_resend, name="resend"),
    path("<int:request_id>/revoke/", views.letter_revoke, name="revoke"),
    path("<int:request_id>/letter.pdf", views.letter_download, name="download"),
    # The writer's pages: the signed token is the only credential.
    path("write/<str:token>/", views.letter_write, name="write"),
    path("write/<str:token>/upload/", views.letter_write_upload, name="write_upload"),
    path("write/<str:token>/decline/", views.letter_write_decline, name="write_decline"),
]

urlpatterns += [
    path("applications/<int:application_id>/", views.letter_assign, name="assign"),
    # Coordinators: the letters in an applicant's packet.
    path("packet/<int:application_id>/", views.packet_letters, name="packet"),
    path("packet/<int:application_id>/<int:request_id>/letter.pdf", views.packet_letter_read, name="packet_read"),
]
