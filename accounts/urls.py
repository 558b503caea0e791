from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-all/", views.logout_everywhere, name="logout_everywhere"),
]
