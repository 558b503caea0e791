"""Forms for the applicant's request and the writer's upload and decline."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LetterRequest

WAIVER_CHOICES = [
    ("yes", _("Yes, I waive my right to read this letter (programmes give confidential letters more weight)")),
    ("no", _("No, I want to be able to read this letter")),
]


class LetterRequestForm(forms.ModelForm):
    # An explicit choice rather than a pre-ticked box: the applicant must decide, and cannot change it later.
    waiver = forms.TypedChoiceField(
        label=_("Do you waive your right to read this letter?"),
        choices=WAIVER_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_("The writer is told your choice. You cannot change it after sending."),
    )

    class Meta:
        model = LetterRequest
        fields = ["writer_name", "writer_email", "writer_title", "writer_institution", "relationship", "message"]
        widgets = {
            "writer_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"message": _("Optional: what the letter is for, or what you hope it will mention.")}


class DeclineForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the applicant (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LetterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Your letter (PDF)"),
        help_text=_("A PDF file, on letterhead and signed if you can."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        # The portal's one upload check (applicants.uploads): decided on the content, not the name.
        from applicants.uploads import PDF, UploadRefused, check_upload

        upload = self.cleaned_data["file"]
        try:
            self.checked = check_upload(upload, allowed=(PDF,))
        except UploadRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
