"""Every API URL: /api/v1/ for the apps' endpoints, /api/schema/ for the OpenAPI 3 contract and its docs."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from api.views_base import ApiView


class NotFoundApi(ApiView):
    """Unknown API paths answer a problem-details 404, not the HTML error page."""

    permission_classes = [AllowAny]
    schema = None

    def dispatch_404(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = dispatch_404


v1 = [
    path("", include("placements.api.urls")),
    path("applicants/", include("applicants.api.urls")),
    path("", include("applications.api.urls")),
    path("notifications/", include("notifications.api.urls")),
    path("letters/", include("letters.api.urls")),
    path("trust/", include("trust.api.urls")),
    path("saved-searches/", include("alerts.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar's static files, its init script fetched separately (no inline script).
    path(
        "docs/",
        login_not_required(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    # Any other path under /api/, a newline in it included ("." would not match one): a problem 404.
    re_path(r"^[\s\S]*$", NotFoundApi.as_view()),
]
