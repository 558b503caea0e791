import uuid

from django import template
from django.utils.html import format_html, format_html_join

from placements.idempotency import TOKEN_FIELD

register = template.Library()


@register.simple_tag
def submission_token() -> str:
    """A hidden one-time token so that a double-clicked create button creates one thing."""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, uuid.uuid4().hex)


@register.simple_tag(takes_context=True)
def search_url(context: template.Context, **changes: object) -> str:
    """The current search's URL with some parameters changed (None removes one; page resets)."""
    params = context["params"]
    changes.setdefault("page", None)
    query = params.querystring(**changes)
    return f"?{query}" if query else "?"


@register.filter
def usd(value: object) -> str:
    """$2,500 or $2,500.50: whole dollars without cents, as programmes quote them."""
    if value is None:
        return ""
    amount = float(value)  # type: ignore[arg-type]
    return f"${amount:,.0f}" if amount == int(amount) else f"${amount:,.2f}"


@register.simple_tag
def facet_options(values) -> str:
    """A facet's <option>s, "Label (count)", the selected one marked. In Python rather than a template
    loop: the search page has over a hundred of them, and each costs a dozen template lookups."""
    return format_html_join(
        "",
        '<option value="{}"{}>{} ({})</option>',
        ((v.value, " selected" if v.selected else "", v.label, v.count) for v in values),
    )
