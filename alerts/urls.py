from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.saved_searches, name="list"),
    path("new/", views.saved_search_new, name="saved_search_new"),
    path("<int:pk>/", views.saved_search_edit, name="saved_search_edit"),
    path("<int:pk>/pause/", views.saved_search_pause, name="saved_search_pause"),
    path("<int:pk>/delete/", views.saved_search_delete_view, name="saved_search_delete"),
]
