import pytest
from django.urls import reverse

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database_or_the_broker(client, monkeypatch, django_assert_num_queries):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker_ok(client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert {response.json()["database"], response.json()["broker"]} == {"ok"}


def test_readyz_answers_503_when_the_broker_is_down(client, monkeypatch):
    # Nothing listens on port 1: the broker is unreachable.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_readyz_reports_database_cache_and_broker_ok(client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_readyz_answers_503_when_the_cache_is_down(client, settings):
    # A node that cannot reach the cache cannot count failed logins: the load balancer must skip it.
    settings.CACHES = {"default": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json()["cache"] == "down"
    assert response.json()["database"] == "ok"
