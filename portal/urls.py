from django.contrib import admin
from django.urls import include, path

from . import metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("placements/", include("placements.urls")),
    path("saved-searches/", include("alerts.urls")),
    path("notifications/", include("notifications.urls")),
    path("letters/", include("letters.urls")),
    path("applicants/", include("applicants.urls")),
    path("accounts/api-tokens/", include("api.urls")),
    path("api/", include("portal.api_router")),
    path("applications/", include("applications.urls")),
    path("rounds/", include("rounds.urls")),
    path("trust/", include("trust.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
