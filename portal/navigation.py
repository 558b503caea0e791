"""The navigation each role sees. Apps add their entries here, in the order they should show.

A role only sees links to pages it may use; the pages check the role again themselves.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from accounts.roles import Role, user_has_role

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


EVERYONE = frozenset({ANONYMOUS, Role.APPLICANT, Role.COORDINATOR, Role.ADMIN})

NAV_ITEMS: list[NavItem] = [
    NavItem("Find placements", "placements:search", EVERYONE),
    NavItem("Our listings", "placements:manage_listings", frozenset({Role.COORDINATOR})),
    NavItem("Profile", "applicants:profile", frozenset({Role.APPLICANT})),
    NavItem("Documents", "applicants:documents", frozenset({Role.APPLICANT})),
    NavItem("Matches", "applicants:matches", frozenset({Role.APPLICANT})),
    NavItem("Saved", "applicants:saved", frozenset({Role.APPLICANT})),
    NavItem("Saved searches", "alerts:list", frozenset({Role.APPLICANT})),
    NavItem("My applications", "applications:mine", frozenset({Role.APPLICANT})),
    NavItem("Letters", "letters:list", frozenset({Role.APPLICANT})),
    NavItem("Match rounds", "rounds:mine", frozenset({Role.APPLICANT})),
    NavItem("Match rounds", "rounds:manage", frozenset({Role.COORDINATOR, Role.ADMIN})),
    NavItem("Applicant queue", "applications:queue", frozenset({Role.COORDINATOR})),
    NavItem("Programme dashboard", "applications:coordinator_dashboard", frozenset({Role.COORDINATOR})),
    NavItem("Institution team", "placements:team", frozenset({Role.COORDINATOR})),
    NavItem("Listings to moderate", "placements:moderation", frozenset({Role.ADMIN})),
    NavItem("Admin", "admin:index", frozenset({Role.ADMIN})),
]


def items_for(user) -> list[dict[str, str]]:
    if not user.is_authenticated:
        roles = frozenset({ANONYMOUS})
    else:
        roles = frozenset(role for role in (Role.APPLICANT, Role.COORDINATOR, Role.ADMIN) if user_has_role(user, role))
    return [dict(item) for item in _items(roles, get_script_prefix())]


@lru_cache(maxsize=64)
def _items(roles: frozenset[str], script_prefix: str) -> tuple[dict[str, str], ...]:
    # The URLs are the same for every request served under the same script prefix: reversed once.
    return tuple({"label": item.label, "url": reverse(item.url_name)} for item in NAV_ITEMS if item.roles & roles)


def anonymous_header(path: str) -> str:
    """The site header every anonymous visitor sees (`templates/_header.html`), with the link to `path`
    marked as the current page.

    Rendered without the request, so no CSRF token, CSP nonce, session or user can be in it, and kept
    for the life of the process (it depends only on the URLconf, the template and the language):
    a page then no longer reverses and renders the navigation twice for each anonymous visit.
    Re-rendered each time with DEBUG on, so that an edited template shows at once."""
    items = _items(frozenset({ANONYMOUS}), get_script_prefix())
    current = path if any(item["url"] == path for item in items) else ""
    if settings.DEBUG:
        return _render_anonymous_header(items, current)
    return _anonymous_header(get_language(), get_script_prefix(), current)


@lru_cache(maxsize=64)
def _anonymous_header(language: str, script_prefix: str, current: str) -> str:
    return _render_anonymous_header(_items(frozenset({ANONYMOUS}), script_prefix), current)


def _render_anonymous_header(items, current: str) -> str:
    return render_to_string("_header.html", {"nav_items": items, "current_path": current})
