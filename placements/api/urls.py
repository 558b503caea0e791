from django.urls import path

from . import views

app_name = "placements_api"

urlpatterns = [
    path("listings/", views.ListingSearchApi.as_view(), name="listing_search"),
    path("listings/<int:pk>/", views.ListingDetailApi.as_view(), name="listing_detail"),
    path("sessions/<int:pk>/", views.SessionDetailApi.as_view(), name="session_detail"),
]
