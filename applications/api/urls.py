from django.urls import path

from . import views

app_name = "applications_api"

urlpatterns = [
    path("applications/", views.ApplicationListApi.as_view(), name="list"),
    path("applications/<int:pk>/", views.ApplicationDetailApi.as_view(), name="detail"),
    path("applications/<int:pk>/submit/", views.ApplicationSubmitApi.as_view(), name="submit"),
    path("applications/<int:pk>/withdraw/", views.ApplicationWithdrawApi.as_view(), name="withdraw"),
    path("applications/<int:pk>/accept/", views.ApplicationAcceptApi.as_view(), name="accept"),
    path("applications/<int:pk>/decline/", views.ApplicationDeclineApi.as_view(), name="decline"),
    path("queue/", views.QueueApi.as_view(), name="queue"),
    path("queue/<int:pk>/", views.QueueItemApi.as_view(), name="queue_item"),
    path("queue/<int:pk>/move/", views.QueueMoveApi.as_view(), name="queue_move"),
    path("dashboard/", views.DashboardApi.as_view(), name="dashboard"),
]
