from django.urls import path

from . import views

app_name = "rounds"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.applicant_rank, name="applicant_rank"),
    path("coordinate/", views.manage, name="manage"),
    path("coordinate/new/", views.round_new, name="round_new"),
    path("coordinate/<int:pk>/", views.round_detail, name="round_detail"),
    path("coordinate/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("coordinate/<int:pk>/cancel/", views.round_cancel, name="round_cancel"),
    path("coordinate/<int:pk>/sessions/<int:session_id>/", views.session_rank, name="session_rank"),
    path("coordinate/<int:pk>/sessions/<int:session_id>/import/", views.session_import, name="session_import"),
]
