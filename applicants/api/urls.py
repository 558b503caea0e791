from django.urls import path

from . import views

app_name = "applicants_api"

urlpatterns = [
    path("eligibility/<int:session_id>/", views.EligibilityApi.as_view(), name="eligibility"),
    path("matches/", views.MatchesApi.as_view(), name="matches"),
    path("profile/", views.ProfileApi.as_view(), name="profile"),
    path("documents/", views.DocumentListApi.as_view(), name="documents"),
    path("documents/<int:pk>/", views.DocumentDetailApi.as_view(), name="document"),
    path(
        "documents/versions/<int:version_id>/download/", views.DocumentDownloadApi.as_view(), name="document_download"
    ),
    path("saved/", views.SavedListApi.as_view(), name="saved"),
    path("saved/<int:listing_id>/", views.SavedItemApi.as_view(), name="saved_item"),
]
