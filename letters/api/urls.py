from django.urls import path

from . import views

app_name = "letters_api"

urlpatterns = [
    path("", views.LetterRequestListApi.as_view(), name="list"),
    path("<int:pk>/resend/", views.LetterResendApi.as_view(), name="resend"),
    path("<int:pk>/revoke/", views.LetterRevokeApi.as_view(), name="revoke"),
]
