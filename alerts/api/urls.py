from django.urls import path

from . import views

app_name = "alerts_api"

urlpatterns = [
    path("", views.SavedSearchListApi.as_view(), name="list"),
    path("<int:pk>/", views.SavedSearchDetailApi.as_view(), name="detail"),
]
