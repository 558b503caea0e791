"""The notification centre, preferences, one-click unsubscribe and the private calendar feed."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.http import is_htmx

from . import kinds, selectors, services
from .calendar import build_calendar
from .models import CalendarFeed, Notification
from .tokens import read_unsubscribe_token


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Notification.objects.for_user(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


def _mark_read(request: HttpRequest, notification_id: int) -> Notification:
    try:
        return services.notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:  # someone else's, or gone: the same answer
        raise Http404("No such notification.") from None


@require_GET
def unread_count(request: HttpRequest) -> HttpResponse:
    """The header bell's badge, fetched by htmx after the page loads: pages themselves pay no query
    for it, and a slow phone shows the page before the count."""
    count = Notification.objects.for_user(request.user).unread().count()
    response = render(request, "notifications/_unread_count.html", {"count": count})
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    notification = _mark_read(request, notification_id)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:list")
    return redirect(target)


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _mark_read(request, notification_id)
    if is_htmx(request):
        return render(request, "notifications/list.html#item", {"notification": notification})
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        wanted = set(request.POST.getlist("on"))
        for code in [kinds.ALL, *(kind.code for kind in kinds.switchable(request.user))]:
            services.preference_set(user=request.user, kind=code, enabled=code in wanted)
        messages.success(request, "Your reminder settings are saved.")
        return redirect("notifications:preferences")
    current = selectors.preferences_for(user=request.user)
    feed = services.calendar_feed_get_or_create(user=request.user)
    return render(
        request,
        "notifications/preferences.html",
        {
            "all_on": current[kinds.ALL],
            "switchable": [(kind, current[kind.code]) for kind in kinds.switchable(request.user)],
            "transactional": [kind for kind in kinds.KINDS.values() if kind.transactional],
            "feed_url": request.build_absolute_uri(reverse("notifications:calendar", args=[feed.token])),
        },
    )


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, "Your old calendar address no longer works. Subscribe to the new one below.")
    return redirect("notifications:preferences")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    response = HttpResponse(build_calendar(feed.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# One-click unsubscribe (RFC 8058): mail clients POST here without cookies or a CSRF token, and
# the signed token is the only credential. A GET (a person, or a link scanner) only asks.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    parsed = read_unsubscribe_token(token)
    if parsed is not None and parsed.address:
        return _unsubscribe_address(request, token, parsed)
    user = get_user_model().objects.filter(pk=parsed.user_id).first() if parsed else None
    kind = kinds.get(parsed.kind) if parsed else None
    if user is None or (parsed.kind != kinds.ALL and (kind is None or kind.transactional or kind.to_address)):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    label = kind.label if kind else "all reminders"
    if request.method == "POST":
        code = kinds.ALL if request.POST.get("scope") == kinds.ALL else parsed.kind
        services.preference_set(user=user, kind=code, enabled=False)
        label = "all reminders" if code == kinds.ALL else label
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token, "kind": parsed.kind})


def _unsubscribe_address(request: HttpRequest, token: str, parsed) -> HttpResponse:
    """The same, for a recipient without an account (a letter writer). Only reminders stop: the
    request they are about stays open, and its link keeps working."""
    kind = kinds.get(parsed.kind)
    if kind is None or not kind.to_address or kind.transactional:
        return render(request, "notifications/unsubscribe.html", {"invalid": True, "no_account": True}, status=404)
    context = {"label": kind.label, "token": token, "kind": kind.code, "no_account": True}
    if request.method == "POST":
        services.address_unsubscribe(address=parsed.address, kind=kind.code)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
