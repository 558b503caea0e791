"""Prometheus metrics at /metrics (prometheus-client), read from the outbox and the broker at each
scrape: the counts live in the database and Redis, so every web process answers the same,
whichever process sent the mail. Not public: a bearer token or an allow-listed address."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from notifications.selectors import outbox_summary

logger = logging.getLogger(__name__)
QUEUES = ("celery", "scan", "mail")
# kombu's Redis transport keeps a queue's messages of priority > 0 in lists with these suffixes.
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue, or None when the broker is not Redis (or is down)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        with client.pipeline() as pipe:
            for queue in QUEUES:
                for suffix in PRIORITY_SUFFIXES:
                    pipe.llen(queue + suffix)
            lengths = pipe.execute()
    except redis.RedisError:
        logger.warning("metrics: broker queue lengths unavailable", exc_info=True)
        return None
    step = len(PRIORITY_SUFFIXES)
    return {queue: sum(lengths[i * step : (i + 1) * step]) for i, queue in enumerate(QUEUES)}


class OutboxCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        summary = outbox_summary(failure_groups=20)
        messages = GaugeMetricFamily(
            "usce_outbox_messages", "Outbox messages by state and kind.", labels=["state", "kind"]
        )
        sent = CounterMetricFamily("usce_outbox_sent", "Messages sent, by kind.", labels=["kind"])
        failed = CounterMetricFamily(
            "usce_outbox_failed_attempts", "Attempts that did not end in a send, by kind.", labels=["kind"]
        )
        sent_by_kind: dict[str, int] = {}
        for (state, kind), count in sorted(summary.by_state_and_kind.items()):
            messages.add_metric([state, kind], count)
            if state == "sent":
                sent_by_kind[kind] = count
        for kind, attempts in sorted(summary.attempts_by_kind.items()):
            sent.add_metric([kind], sent_by_kind.get(kind, 0))
            failed.add_metric([kind], max((attempts or 0) - sent_by_kind.get(kind, 0), 0))
        yield messages
        yield sent
        yield failed
        yield GaugeMetricFamily(
            "usce_outbox_pending",
            "Messages waiting to be sent (pending or being sent).",
            value=summary.by_state.get("pending", 0) + summary.by_state.get("sending", 0),
        )
        age = summary.oldest_pending_age
        yield GaugeMetricFamily(
            "usce_outbox_oldest_pending_age_seconds",
            "Age of the oldest message waiting to be sent (0: none waiting).",
            value=age.total_seconds() if age else 0,
        )
        yield GaugeMetricFamily(
            "usce_outbox_last_sent_timestamp_seconds",
            "When the last message was sent (Unix time; 0: never).",
            value=summary.last_sent_at.timestamp() if summary.last_sent_at else 0,
        )
        failing = GaugeMetricFamily(
            "usce_outbox_failing_messages", "Messages failing now or given up, by error class.", labels=["error_class"]
        )
        for group in summary.failures:
            failing.add_metric([group.error_class], group.count)
        yield failing
        lengths = queue_lengths()
        if lengths is not None:
            queues = GaugeMetricFamily(
                "usce_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
            )
            for queue, length in lengths.items():
                queues.add_metric([queue], length)
            yield queues
        yield GaugeMetricFamily(
            "usce_metrics_scrape_timestamp_seconds", "When this scrape ran.", value=timezone.now().timestamp()
        )


def _allowed(request: HttpRequest) -> bool:
    token = settings.PORTAL_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.PORTAL_METRICS_ALLOW


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.PORTAL_METRICS_TOKEN and not settings.PORTAL_METRICS_ALLOW:
        raise Http404("Metrics are not configured.")
    if not _allowed(request):
        return HttpResponse("Forbidden: a metrics token or an allow-listed address is required.\n", status=403)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutboxCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
