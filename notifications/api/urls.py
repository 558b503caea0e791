from django.urls import path

from . import views

app_name = "notifications_api"

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="list"),
    path("<int:pk>/read/", views.NotificationReadApi.as_view(), name="read"),
    path("read-all/", views.NotificationReadAllApi.as_view(), name="read_all"),
]
