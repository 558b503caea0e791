from django.urls import path

from . import views

app_name = "placements"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.listing_detail, name="listing"),
    path("manage/", views.manage_listings, name="manage_listings"),
    path("manage/new/", views.listing_new, name="listing_new"),
    path("manage/<int:pk>/", views.listing_edit, name="listing_edit"),
    path("manage/<int:pk>/duplicate/", views.listing_duplicate_view, name="listing_duplicate"),
    path("manage/<int:pk>/publish/", views.listing_submit_view, name="listing_submit"),
    path("manage/<int:pk>/archive/", views.listing_archive_view, name="listing_archive"),
    path("manage/<int:pk>/reopen/", views.listing_reopen_view, name="listing_reopen"),
    path("manage/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("manage/sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("manage/sessions/<int:pk>/archive/", views.session_archive_view, name="session_archive"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:pk>/publish/", views.moderation_move, {"action": "publish"}, name="moderation_publish"),
    path("moderation/<int:pk>/unpublish/", views.moderation_move, {"action": "unpublish"}, name="moderation_unpublish"),
    path("team/", views.team, name="team"),
    path("team/<int:institution_id>/add/", views.team_add, name="team_add"),
]
