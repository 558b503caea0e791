import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DocumentKind, Immunisation
from .models import Institution, Listing, Session, Specialty, Visa
from .services import LISTING_CONTENT_FIELDS, SESSION_FIELDS


class AddCoordinatorForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )


class ListingForm(forms.ModelForm):
    """What a coordinator writes about a placement. Requirements are ticked, not typed."""

    institution = forms.ModelChoiceField(queryset=Institution.objects.none(), label=_("Institution"))
    accepted_visas = forms.ModelMultipleChoiceField(
        queryset=Visa.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Accepted visa statuses"),
        help_text=_("Required: applicants choose placements by the visa they can get."),
        error_messages={"required": _("Tick at least one visa status this placement accepts.")},
    )
    document_kinds = forms.MultipleChoiceField(
        choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Required documents"),
    )
    immunisations = forms.MultipleChoiceField(
        choices=Immunisation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Required immunisations"),
    )

    class Meta:
        model = Listing
        fields = ["institution", *LISTING_CONTENT_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "refund_terms": forms.Textarea(attrs={"rows": 3}),
            "last_verified_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "programme_fee": _("US dollars, for the whole placement."),
            "deposit": _("Say in the refund terms whether it is refunded."),
            "min_step2_score": _("Leave empty when any score (or none) is accepted."),
            "max_years_since_graduation": _("Leave empty when there is no limit."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institutions = Institution.objects.coordinated_by(user).order_by("name")
        self.fields["institution"].queryset = institutions
        self.fields["specialty"].queryset = Specialty.objects.order_by("name")
        if self.instance.pk:
            # The institution of an existing listing does not change (its applications belong there).
            del self.fields["institution"]
            self.initial["document_kinds"] = [r.kind for r in self.instance.document_requirements.all()]
            self.initial["immunisations"] = [r.immunisation for r in self.instance.immunisation_requirements.all()]
        elif len(institutions) == 1:
            self.fields["institution"].initial = institutions[0]

    def content(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in LISTING_CONTENT_FIELDS if k in self.cleaned_data}


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = SESSION_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "applications_open_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "applications_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        labels = {
            "applications_open_at": _("Applications open"),
            "applications_close_at": _("Applications close"),
        }
        help_texts = {
            "applications_close_at": _("Must be before the session starts."),
            "offer_response_days": _("Days an applicant has to accept an offer."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if start and end and end < start:
            self.add_error("end_date", _("The session cannot end before it starts."))
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", _("Applications must close after they open."))
        # The database's rule (session_window_closes_before_start) is midnight UTC of the start date.
        if start and closes and closes.astimezone(dt.UTC).date() >= start:
            self.add_error("applications_close_at", _("Applications must close before the session starts."))
        return data
