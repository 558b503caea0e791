"""The navigation each role sees. Apps add their entries here, in the order they should show.

A role only sees links to pages it may use; the pages check the role again themselves.
"""
from dataclasses import dataclass

from django.urls import reverse

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
    NavItem("My applications", "applications:mine", frozenset({Role.APPLICANT})),
    NavItem("Letters", "letters:list", frozenset({Role.APPLICANT})),
    NavItem("Match rounds", "rounds:mine", frozenset({Role.APPLICANT})),
    NavItem("Match rounds", "rounds:manage", frozenset({Role.COORDINATOR, Role.ADMIN})),
    NavItem("Applicant queue", "applications:queue", frozenset({Role.COORDINATOR})),
    NavItem("Programme dashboard", "applications:coordinator_dashboard", frozenset({Role.COORDINATOR})),
    NavItem("Institution team", "placements:team", frozenset({Role.COORDINATOR})),
    NavItem("Admin", "admin:index", frozenset({Role.ADMIN})),
]


def items_for(user) -> list[dict[str, str]]:
    if not user.is_authenticated:
        roles = {ANONYMOUS}
    else:
        roles = {role for role in (Role.APPLICANT, Role.COORDINATOR, Role.ADMIN) if user_has_role(user, role)}
    return [{"label": item.label, "url": reverse(item.url_name)} for item in NAV_ITEMS if item.roles & roles]
