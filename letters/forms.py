"""Forms for the applicant's request and the writer's upload and decline."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.uploads import PDF, UploadRefused, check_upload
from applications.models import Application

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
        fields = [
            "writer_name",
            "writer_email",
            "writer_title",
            "writer_institution",
            "relationship",
            "rotation",
            "message",
        ]
        widgets = {
            "writer_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"message": _("Optional: what the letter is for, or what you hope it will mention.")}

    def __init__(self, *args, applicant, **kwargs):

        super().__init__(*args, **kwargs)
        rotation = self.fields["rotation"]
        rotation.queryset = (
            Application.objects.of_applicant(applicant)
            .filter(status=Application.Status.COMPLETED)
            .select_related("session__listing__institution")
        )
        rotation.label_from_instance = lambda a: (
            f"{a.session.listing.title}, {a.session.listing.institution.name} ({a.session.start_date:%b %Y})"
        )
        rotation.empty_label = _("None: not a rotation on this portal")


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
        # The portal's one upload check: the type is decided on the content, not the name.
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_upload(upload, allowed=(PDF,))
        except UploadRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class LetterChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: LetterRequest) -> str:
        return f"{obj.writer_name}, {obj.writer_institution} ({obj.get_shown_status_display().lower()})"


class AssignmentForm(forms.Form):
    letters = LetterChoiceField(
        queryset=LetterRequest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Letters to send with this application"),
    )

    def __init__(self, *args, letter_requests: list[LetterRequest], assigned_ids: set[int], **kwargs):
        super().__init__(*args, initial={"letters": sorted(assigned_ids)}, **kwargs)
        field = self.fields["letters"]
        field.queryset = LetterRequest.objects.filter(pk__in=[r.pk for r in letter_requests])
        # Reuse the rows already read for the labels instead of a second query per render.
        field.choices = [(r.pk, field.label_from_instance(r)) for r in letter_requests]
