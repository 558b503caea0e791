"""The page chrome's tags (loaded by base.html)."""

from django import template

from .. import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def anonymous_header(context) -> str:
    """The anonymous visitor's site header, rendered once and reused (portal.navigation.anonymous_header)."""
    request = context.get("request")
    return navigation.anonymous_header(request.path if request is not None else "")
