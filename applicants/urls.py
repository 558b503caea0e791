from django.urls import path

from . import views

app_name = "applicants"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/<slug:section>/", views.profile_section, name="profile_section"),
    path("documents/", views.documents, name="documents"),
    path("documents/upload/", views.document_upload_view, name="document_upload"),
    path("documents/<int:document_id>/replace/", views.document_replace_view, name="document_replace"),
    path("documents/<int:document_id>/delete/", views.document_delete_view, name="document_delete"),
    path("documents/versions/<int:version_id>/download/", views.document_download, name="document_download"),
    path("matches/", views.matches, name="matches"),
    path("saved/", views.saved, name="saved"),
    path("saved/<int:listing_id>/add/", views.saved_add, name="saved_add"),
    path("saved/<int:listing_id>/remove/", views.saved_remove, name="saved_remove"),
    path("compare/", views.compare, name="compare"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export/", views.my_data_export, name="my_data_export"),
    path("my-data/delete/", views.account_delete_view, name="account_delete"),
]
