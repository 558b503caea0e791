"""The saved-search forms of the search page and of "My saved searches"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency
from .querystrings import MAX_QUERYSTRING_LENGTH, QuerystringError, checked_querystring
from .services import NAME_MAX_LENGTH


class _NameAndFrequency(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    frequency = forms.ChoiceField(
        label=_("Tell me"),
        choices=Frequency.choices,
        initial=Frequency.DAILY,
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the search a name."))
        return name


class SavedSearchCreateForm(_NameAndFrequency):
    """The search page's "Save this search": its query string comes from the page's URL."""

    querystring = forms.CharField(widget=forms.HiddenInput, required=False, max_length=MAX_QUERYSTRING_LENGTH * 2)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_querystring(self) -> str:
        try:
            normalised, _params = checked_querystring(self.cleaned_data["querystring"], user=self.user, strict=False)
        except QuerystringError as exc:
            raise forms.ValidationError(exc.messages) from None
        return normalised


class SavedSearchEditForm(_NameAndFrequency):
    """Rename a saved search or change how often it tells its owner."""
