"""The site header: each role's navigation, the current page marked, and the anonymous visitor's
header reused without ever holding anybody's token (portal.navigation.anonymous_header)."""

import re

import pytest
from django.urls import reverse

from portal import navigation

pytestmark = pytest.mark.django_db

SEARCH = reverse("placements:search")


def header(html: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def test_an_anonymous_visitor_sees_log_in_and_sign_up_and_the_current_page_marked(client):
    on_search = header(client.get(SEARCH).content.decode())
    assert f'<a href="{SEARCH}" aria-current="page">Find placements</a>' in on_search
    assert "Sign in" in on_search and "Sign up" in on_search and "Sign out" not in on_search
    on_home = header(client.get(reverse("home")).content.decode())
    assert "aria-current" not in on_home and f'<a href="{SEARCH}">Find placements</a>' in on_home


def test_the_reused_anonymous_header_holds_no_token_while_the_page_gets_a_fresh_one(client):
    pages = [client.get(SEARCH).content.decode() for _ in range(2)]
    assert header(pages[0]) == header(pages[1])
    assert "csrf" not in header(pages[0]).lower() and "nonce" not in header(pages[0]).lower()
    tokens = {re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1) for page in pages}
    assert len(tokens) == 2


def test_a_signed_in_header_is_rendered_for_them_with_their_log_out_form(client, applicant):
    client.force_login(applicant)
    html = header(client.get(SEARCH).content.decode())
    assert "Sign in" not in html and "My applications" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'<a href="{SEARCH}" aria-current="page">Find placements</a>' in html


def test_the_anonymous_header_is_rendered_once_per_page_marked(settings):
    settings.DEBUG = False
    navigation._anonymous_header.cache_clear()
    first = navigation.anonymous_header(SEARCH)
    assert navigation.anonymous_header(SEARCH) is first
    # Any other path shares the header without a marked link: the cache stays small.
    assert navigation.anonymous_header("/placements/123/") is navigation.anonymous_header("/no/such/page/")
    assert navigation._anonymous_header.cache_info().currsize == 2


def test_the_menu_and_the_login_page_use_the_same_words(client, db):
    menu = client.get(reverse("placements:search")).content.decode()
    login = client.get(reverse("account_login")).content.decode()
    assert "Sign in" in menu and "Log in" not in menu
    assert "<h1>Sign in</h1>" in " ".join(login.split()).replace("> ", ">").replace(" <", "<")
    assert "Sign In" not in login and "Log in" not in login
