"""Saved searches over the API: what a client reads, and the bodies it sends."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Frequency, SavedSearch
from ..querystrings import QuerystringError, checked_querystring
from ..services import NAME_MAX_LENGTH

QUERYSTRING_HELP = (
    "The search as the search page's URL holds it, e.g. `q=cardiology&state=TX&open_now=1`: the "
    "parameters of `GET /api/v1/listings/`. Saved sorted, without `page`."
)


class SavedSearchSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField(help_text="The filters in words, as the pages show them.")
    search_url = serializers.SerializerMethodField(help_text="The search page with these filters.")
    listings_url = serializers.SerializerMethodField(help_text="The same search over the API.")

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "querystring", "frequency", "paused", "description", "search_url", "listings_url"]
        extra_kwargs = {"querystring": {"help_text": QUERYSTRING_HELP}}

    @extend_schema_field(OpenApiTypes.STR)
    def get_description(self, obj: SavedSearch) -> str:
        return self.context["descriptions"][obj.pk]

    @extend_schema_field(OpenApiTypes.URI)
    def get_search_url(self, obj: SavedSearch) -> str:
        return self._absolute(reverse("placements:search"), obj.querystring)

    @extend_schema_field(OpenApiTypes.URI)
    def get_listings_url(self, obj: SavedSearch) -> str:
        return self._absolute("/api/v1/listings/", obj.querystring)

    def _absolute(self, path: str, querystring: str) -> str:
        return self.context["request"].build_absolute_uri(f"{path}?{querystring}" if querystring else path)


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise serializers.ValidationError("Give the search a name.")
    return name


class SavedSearchCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    # No max_length here: checked_querystring says "too long" in its own words.
    querystring = serializers.CharField(allow_blank=True, trim_whitespace=True, help_text=QUERYSTRING_HELP)
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.DAILY)

    def validate_name(self, value: str) -> str:
        return _name(value)

    def validate_querystring(self, value: str) -> str:
        """Checked as the search reads it; the normalised string is what gets saved."""
        try:
            normalised, _params = checked_querystring(value, user=self.context["request"].user)
        except QuerystringError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return normalised


class SavedSearchUpdateSerializer(serializers.Serializer):
    """Any of the three; the query string is not changed: save a new search instead."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    paused = serializers.BooleanField(required=False)

    def validate_name(self, value: str) -> str:
        return _name(value)
