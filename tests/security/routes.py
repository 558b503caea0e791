"""The URL configuration as a list of routes, for the tests that must cover every route there is
(the HTML and API access matrices): a route added later shows up here and fails their check."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    route: str  # as written in the URLconf, prefixes joined: "applications/<int:pk>/submit/"
    name: str  # namespaced URL name, "applications:submit"; "" for an unnamed route
    takes_arguments: bool


def all_routes(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += all_routes(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            takes = bool(entry.pattern.regex.groups) or "<" in route or "(?P" in route
            routes.append(Route(route, name, takes))
    return routes


def routes_taking_arguments() -> list[Route]:
    return [r for r in all_routes() if r.takes_arguments]
