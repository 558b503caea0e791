from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InstitutionLetterhead, ListingReport


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = InstitutionLetterhead
        fields = ["letterhead", "signatory_name", "signatory_title"]
        widgets = {"letterhead": forms.Textarea(attrs={"rows": 4})}
        labels = {"signatory_name": _("Signed by (name)"), "signatory_title": _("Signatory's title")}


class VisaLetterForm(forms.Form):
    passport_number = forms.CharField(
        label=_("Passport number"), max_length=30, help_text=_("As the applicant gave it, character for character.")
    )
    costs = forms.CharField(label=_("Costs"), max_length=300, help_text=_("What the programme costs the visitor."))
    paid_by = forms.CharField(label=_("Who pays"), max_length=200, initial=_("The visitor, from personal funds"))


class ReportForm(forms.Form):
    field = forms.ChoiceField(label=_("What is wrong"), choices=ListingReport.Field.choices)
    note = forms.CharField(
        label=_("Short note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is wrong, and what is right if you know it."),
    )


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(ListingReport.Status.CORRECTED, _("Corrected")), (ListingReport.Status.DISMISSED, _("Not wrong"))],
    )
    resolution = forms.CharField(label=_("What was done"), max_length=500)
