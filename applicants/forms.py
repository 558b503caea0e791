"""Profile sections and document uploads. Validation only; saving is in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.choices import DocumentKind, Immunisation, USState
from placements.models import Specialty

from .choices import TrainingStage
from .models import ApplicantProfile, time_zone_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _not_in_future(value: dt.date | None, what: str) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("%(what)s cannot be in the future.") % {"what": what})


class AboutForm(forms.ModelForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150, help_text=_("As on your passport."))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False, help_text=_("Deadlines and interviews show in this time zone.")
    )

    class Meta:
        model = ApplicantProfile
        fields = ["citizenship_country", "residence_country", "time_zone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("Choose your time zone"))] + time_zone_choices()
        self.fields["full_name"].initial = self.instance.user.full_name
        self.order_fields(["full_name", "citizenship_country", "residence_country", "time_zone"])
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["residence_country"].widget.attrs["autocomplete"] = "country-name"


class EducationForm(forms.ModelForm):
    class Meta:
        model = ApplicantProfile
        fields = ["training_stage", "medical_school", "medical_school_country", "graduation_year"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = data.get("graduation_year")
        if data.get("training_stage") == TrainingStage.GRADUATE and year and year > timezone.localdate().year:
            self.add_error("graduation_year", _("A graduation year in the future means you are still a student."))
        return data


class ExamsForm(forms.ModelForm):
    # Longer than the 8 digits it stores, so "1234-5678" reaches clean_usmle_id.
    usmle_id = forms.CharField(
        label=_("USMLE/ECFMG identification number"),
        required=False,
        max_length=12,
        help_text=ApplicantProfile._meta.get_field("usmle_id").help_text,
    )

    class Meta:
        model = ApplicantProfile
        fields = [
            "ecfmg_status",
            "usmle_id",
            "step1_result",
            "step1_date",
            "step2ck_score",
            "step2ck_date",
            "step3_result",
            "step3_date",
            "english_test",
            "english_test_date",
        ]
        widgets = {name: DateInput() for name in ("step1_date", "step2ck_date", "step3_date", "english_test_date")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["usmle_id"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["step2ck_score"].widget.attrs.update({"inputmode": "numeric", "min": 1, "max": 300})

    def clean_usmle_id(self) -> str:
        # People paste "1234-5678" or "1234 5678": keep the digits, then the model checks for 8.
        value = self.cleaned_data["usmle_id"]
        return value.replace("-", "").replace(" ", "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("step1_date", "step2ck_date", "step3_date", "english_test_date"):
            try:
                _not_in_future(data.get(name), str(self.fields[name].label))
            except forms.ValidationError as error:
                self.add_error(name, error)
        if data.get("step2ck_date") and data.get("step2ck_score") is None:
            self.add_error("step2ck_score", _("Add the score for the Step 2 CK you took."))
        return data


class VisaForm(forms.ModelForm):
    class Meta:
        model = ApplicantProfile
        fields = ["current_visa", "planned_visa"]


class PreferencesForm(forms.ModelForm):
    specialties_of_interest = forms.ModelMultipleChoiceField(
        queryset=Specialty.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Specialties of interest"),
    )
    preferred_states = forms.MultipleChoiceField(
        choices=USState.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Preferred states")
    )

    class Meta:
        model = ApplicantProfile
        fields = [
            "specialties_of_interest",
            "preferred_states",
            "budget_usd",
            "available_from",
            "available_until",
            "hands_on_preference",
        ]
        widgets = {"available_from": DateInput(), "available_until": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The end of your window is before its start."))
        return data


SECTIONS: dict[str, tuple[str, type[forms.ModelForm]]] = {
    "about": (_("About you"), AboutForm),
    "education": (_("Medical school"), EducationForm),
    "exams": (_("ECFMG, USMLE and English"), ExamsForm),
    "visa": (_("Visa"), VisaForm),
    "preferences": (_("What you are looking for"), PreferencesForm),
}


class DocumentDatesForm(forms.Form):
    """The file and its dates."""

    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"})
    )
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=DateInput(), help_text=_("Leave empty if it does not expire.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.PORTAL_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = _("PDF, JPEG, PNG or Word (.docx), up to %(limit)s.") % {"limit": limit}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        try:
            _not_in_future(issued, str(_("The issue date")))
        except forms.ValidationError as error:
            self.add_error("issued_on", error)
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry date is before the issue date."))
        return data


class DocumentDetailsForm(DocumentDatesForm):
    """For a document already uploaded: a new file, or only corrected dates (no file chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].required = False
        self.fields["file"].label = _("New file (optional)")
        self.fields["file"].help_text = _("Leave empty to keep the current file and change only its details. ") + str(
            self.fields["file"].help_text
        )


class DocumentUploadForm(DocumentDatesForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=[("", _("Choose…"))] + DocumentKind.choices)
    field_order = ["kind", "file", "issued_on", "expires_on"]


class ImmunisationsForm(forms.Form):
    """What an immunisation record proves: the date of each vaccine or test it shows."""

    prefix = "imm"

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for code, label in Immunisation.choices:
            self.fields[code] = forms.DateField(label=label, required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for code, _label in Immunisation.choices:
            try:
                _not_in_future(data.get(code), str(_("A vaccination or test date")))
            except forms.ValidationError as error:
                self.add_error(code, error)
        if self.kind == DocumentKind.IMMUNISATION_RECORD and not self.dates() and not self.errors:
            raise forms.ValidationError(_("Add the date of at least one vaccine or test this record shows."))
        return data

    def dates(self) -> dict[str, dt.date]:
        if self.kind != DocumentKind.IMMUNISATION_RECORD:
            return {}
        return {code: day for code, day in self.cleaned_data.items() if day}


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )
    confirm = forms.BooleanField(
        label=_("I understand my profile, documents and saved listings will be deleted for good.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
