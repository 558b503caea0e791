from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MOMENTS = ("rank_deadline", "publish_at", "offer_deadline")


class RoundForm(forms.Form):
    """Opens a round, or edits one (``round``): then it starts from the round as saved."""

    name = forms.CharField(
        max_length=200, label=_("Round name"), help_text=_("For example “July 2027 sub-internships”.")
    )
    sessions = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Sessions in the round")
    )
    rank_deadline = forms.DateTimeField(
        label=_("Rank deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Applicants and coordinators can change their lists until then."),
    )
    publish_at = forms.DateTimeField(
        label=_("Publication time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The match runs and everyone sees their result."),
    )
    offer_deadline = forms.DateTimeField(
        label=_("Offer response deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Matched applicants accept or decline by then."),
    )

    def __init__(self, *args, sessions, round=None, **kwargs):
        self.round = round
        if round is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": round.name,
                    "sessions": list(round.sessions.values_list("pk", flat=True)),
                    **{field: getattr(round, field) for field in MOMENTS},
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = sessions
        self.fields["sessions"].label_from_instance = lambda s: (
            f"{s.listing.title}, {s.start_date:%b %-d, %Y} ({s.seats} seats)"
        )

    def clean(self):
        data = super().clean()
        if self.round is not None:
            # The page shows minutes: a moment sent back unchanged keeps its saved seconds, so it
            # does not count as moved (nor tell the applicants who ranked that it did).
            for field in MOMENTS:
                saved = getattr(self.round, field)
                if data.get(field) == saved.replace(second=0, microsecond=0):
                    data[field] = saved
        return data

    def round_fields(self) -> dict[str, Any]:
        """The cleaned values as `round_open` and `round_update` take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "session_ids": [s.pk for s in data["sessions"]],
            **{field: data[field] for field in MOMENTS},
        }


class RankImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("One line per applicant: e-mail address, rank (1 is your first choice).")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("That file is larger than 1 MB; a rank list is a few kilobytes."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("That file is not UTF-8 text; save it as CSV (UTF-8) and try again.")
            ) from None
