from django.urls import path

from . import views

app_name = "trust"

urlpatterns = [
    path("institutions/<slug:slug>/", views.institution, name="institution"),
    path("institutions/<int:institution_id>/letterhead/", views.letterhead, name="letterhead"),
    path("applications/<int:pk>/visa-letters/", views.visa_letters, name="visa_letters"),
    path("applications/<int:pk>/visa-letter.pdf", views.my_visa_letter, name="my_visa_letter"),
    path("visa-letters/<int:letter_id>.pdf", views.visa_letter_download, name="visa_letter_pdf"),
    path("visa-letters/<int:letter_id>/revoke/", views.visa_letter_revoke, name="visa_letter_revoke"),
    path("responsiveness/", views.how, name="how"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    path("listings/<int:pk>/report/", views.report, name="report"),
    path("listings/<int:pk>/confirm/", views.listing_confirm, name="listing_confirm"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", views.report_resolve, name="report_resolve"),
]
