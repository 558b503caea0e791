from django.urls import path

from . import views

app_name = "placements"

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/<int:institution_id>/add/", views.team_add, name="team_add"),
]
