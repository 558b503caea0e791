"""The production URLconf plus `/bench/trivial/`: the cheapest response Django can give through the
whole middleware stack, the yardstick the throughput benchmark divides by."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401


@login_not_required
@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("portal.urls")),
]
