import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_explains_the_portal_to_a_visitor(client):
    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "observerships" in html and "eligible" in html
    assert 'href="#main"' in html  # skip link
    assert '<main id="main"' in html
    assert 'name="viewport"' in html


def test_static_assets_are_served_locally_not_from_a_cdn(client):
    html = client.get(reverse("home")).content.decode()

    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "https://" not in html.split("<body")[0]


def test_an_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We cannot find that page" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_server_error_gets_the_friendly_500(client, monkeypatch):
    import portal.views

    def boom(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(portal.views, "_database_ok", boom)
    client.raise_request_exception = False

    response = client.get(reverse("readyz"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_favicon_ico_is_served_to_anonymous_browsers(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"
