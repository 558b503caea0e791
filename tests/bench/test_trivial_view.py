"""The throughput benchmark's yardstick: /bench/trivial/ goes through the whole middleware stack,
and exists only under bench.settings' URLconf."""

import pytest


def test_trivial_view_answers_anonymous_visitors_through_every_middleware(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/trivial/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    # The security middlewares ran: the figure it gives includes their cost, as every page pays it.
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "Permissions-Policy" in response


def test_trivial_view_only_reads(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    assert client.post("/bench/trivial/").status_code in {403, 405}


@pytest.mark.django_db
def test_bench_urlconf_still_serves_the_portal(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    assert client.get("/placements/").status_code == 200


@pytest.mark.django_db
def test_production_urlconf_has_no_trivial_view(client):
    assert client.get("/bench/trivial/").status_code == 404
