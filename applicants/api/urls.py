from django.urls import path

from . import views

app_name = "applicants_api"

urlpatterns = [
    path("eligibility/<int:session_id>/", views.EligibilityApi.as_view(), name="eligibility"),
    path("matches/", views.MatchesApi.as_view(), name="matches"),
]
