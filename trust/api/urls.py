from django.urls import path

from . import views

app_name = "trust_api"

urlpatterns = [
    path("institutions/<int:pk>/responsiveness/", views.InstitutionResponsivenessApi.as_view(), name="institution"),
    path("listings/<int:pk>/reports/", views.ListingReportApi.as_view(), name="report"),
    path("listings/<int:pk>/confirm/", views.ListingConfirmApi.as_view(), name="confirm"),
    path("reports/", views.ReportQueueApi.as_view(), name="reports"),
    path("reports/<int:pk>/resolve/", views.ReportResolveApi.as_view(), name="resolve"),
    path("applications/<int:pk>/visa-letters/", views.VisaLetterListApi.as_view(), name="visa_letters"),
    path("visa-letters/<int:pk>/revoke/", views.VisaLetterRevokeApi.as_view(), name="visa_letter_revoke"),
    path("visa-letters/verify/<str:code>/", views.VisaLetterVerifyApi.as_view(), name="verify"),
]
