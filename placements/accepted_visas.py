"""A listing's accepted visas, also kept as text on the listing itself (`accepted_visa_codes`).

The eligibility filter and the visa facet ask of every listing which visas it names: asked of the
m2m table that is an index probe per listing; asked of this column, a test on the row already read
from the covering index `listing_published_facets`.

The text is ",b1b2,j1," (codes sorted, comma on both sides so that a code never matches inside
another), or "" when the listing names no visa. The m2m table stays the source of truth, and this
module is the column's only writer: `refresh` rewrites the text after every change to the table and
after any save that wrote the column (a full save of an instance read before its visas changed
writes its old copy); bulk loaders write `as_text` of the codes they copy, with the listing's row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import Listing

FIELD = "accepted_visa_codes"


def as_text(codes: Iterable[str]) -> str:
    codes = sorted(set(codes))
    return f",{','.join(codes)}," if codes else ""


def codes(text: str) -> set[str]:
    """The codes in a listing's text: ",b1b2,j1," -> {"b1b2", "j1"}; "" -> set()."""
    return {code for code in text.split(",") if code}


def accepts_q(code: str, listing_path: str = "") -> Q:
    """Listings (reached through `listing_path`, "" or "listing__") that name no visa or accept `code`."""
    return Q(**{f"{listing_path}{FIELD}": ""}) | Q(**{f"{listing_path}{FIELD}__contains": f",{code},"})


def refresh(listing_ids: Iterable[int]) -> dict[int, str]:
    """Rewrite the text of these listings from the m2m table: two queries plus one update per listing."""

    ids = set(listing_ids)
    if not ids:
        return {}
    codes: dict[int, list[str]] = {pk: [] for pk in ids}
    for listing_id, code in Listing.accepted_visas.through.objects.filter(listing_id__in=ids).values_list(
        "listing_id", "visa_id"
    ):
        codes[listing_id].append(code)
    texts = {pk: as_text(c) for pk, c in codes.items()}
    for pk, text in texts.items():
        Listing.objects.filter(pk=pk).exclude(**{FIELD: text}).update(**{FIELD: text})
    return texts


def _on_visas_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:

    if not reverse:  # listing.accepted_visas.add/remove/set/clear
        if action in ("post_add", "post_remove", "post_clear"):
            text = refresh([instance.pk])[instance.pk]
            setattr(instance, FIELD, text)
        return
    # visa.listings.add/remove/clear: the listings are in pk_set, or (clear) only known before it.
    if action == "pre_clear":
        instance._listings_before_clear = list(
            Listing.accepted_visas.through.objects.filter(visa_id=instance.pk).values_list("listing_id", flat=True)
        )
    elif action == "post_clear":
        refresh(getattr(instance, "_listings_before_clear", []))
    elif action in ("post_add", "post_remove"):
        refresh(pk_set or [])


def _on_listing_saved(sender, instance, created, update_fields, **kwargs) -> None:
    if update_fields is not None and FIELD not in update_fields:
        return  # the save left the column alone
    if created and not getattr(instance, FIELD):
        return  # a new listing has no visas yet: "" is already the text of none
    setattr(instance, FIELD, refresh([instance.pk])[instance.pk])


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_save

    m2m_changed.connect(
        _on_visas_changed, sender=Listing.accepted_visas.through, dispatch_uid="listing-accepted-visa-codes"
    )
    post_save.connect(_on_listing_saved, sender=Listing, dispatch_uid="listing-accepted-visa-codes-save")
