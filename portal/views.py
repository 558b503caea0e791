"""Site-wide pages: home, health check and error pages."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import app

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("readyz: database check failed")
        return False


def _broker_ok() -> bool:

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("readyz: broker check failed")
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Cheap on purpose (probed often); /readyz checks what it needs."""
    return JsonResponse({"status": "ok"})


def _report(checks: dict[str, bool]) -> JsonResponse:
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


def _cache_ok() -> bool:
    try:
        # Rate limits and login lockouts live here: a node without it must take no traffic.
        cache.set("readyz", "ok", timeout=10)
        return cache.get("readyz") == "ok"
    except Exception:
        logger.exception("readyz: cache check failed")
        return False


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """For a load balancer's health check: 503 sends traffic to the other nodes until every part
    this node needs (database, cache, broker) answers again."""
    return _report({"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()})


@login_not_required
def error_400(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


@login_not_required
def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


@login_not_required
def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@login_not_required
def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may be in them. The template needs no request data.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static file."""
    return redirect(static("favicon.ico"), permanent=True)
