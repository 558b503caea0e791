"""Forms: parse and validate input; services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.models import Document
from placements.choices import VisaStatus
from portal.widgets import QuickSelect

from .models import InterviewSlot, ListingQuestion, Review, Score
from .states import IN_QUEUE, Status


class ApplicationForm(forms.Form):
    """The personal statement plus one field per programme question."""

    personal_statement = forms.CharField(
        label=_("Personal statement"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Why this placement, and what you will bring to the team. About 300 to 600 words."),
    )

    documents = forms.ModelMultipleChoiceField(
        label=_("Documents to send"),
        required=False,
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From your profile's documents."),
    )

    def __init__(self, *args, questions=(), documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["documents"].queryset = documents
        self.questions = list(questions)
        for question in self.questions:
            label = question.prompt + ("" if question.required else " " + str(_("(optional)")))
            if question.kind == ListingQuestion.Kind.CHOICE:
                field = forms.ChoiceField(
                    label=label, required=False, choices=[("", "—")] + [(o, o) for o in question.options]
                )
            else:
                field = forms.CharField(
                    label=label, required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
                )
            self.fields[f"q_{question.pk}"] = field

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") or "" for q in self.questions}


SORTS = {
    "name": "applicant__full_name",
    "listing": "session__listing__title",
    "session": "session__start_date",
    "status": "status",
    "submitted": "submitted_at",
    "score": "avg_score",
    "step2": "step2",
    "graduation": "graduation_year",
}


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    listing = forms.TypedChoiceField(label=_("Listing"), required=False, coerce=int, empty_value=None)
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any"))] + [(s, Status(s).label) for s in Status.values if s in IN_QUEUE],
    )
    eligible = forms.ChoiceField(
        label=_("Eligibility"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Eligible")), ("no", _("Not eligible")), ("unknown", _("Not checked"))],
    )
    step2_min = forms.IntegerField(label=_("Step 2 CK from"), required=False, min_value=1, max_value=300)
    step2_max = forms.IntegerField(label=_("Step 2 CK to"), required=False, min_value=1, max_value=300)
    graduation_year = forms.IntegerField(label=_("Graduation year"), required=False, min_value=1950, max_value=2100)
    visa = forms.ChoiceField(label=_("Visa"), required=False, choices=[("", _("Any"))] + list(VisaStatus.choices))
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in SORTS] + [("-" + k, "-" + k) for k in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args, listings=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                # Every listing and session of the institutions: 150 options for a busy one.
                field.widget = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
        self.fields["listing"].choices = [("", _("Any"))] + [(listing.pk, listing.title) for listing in listings]
        self.fields["session"].choices = [("", _("Any"))] + [
            (s.pk, f"{s.listing.title} · {s.start_date:%d %b %Y}") for s in sessions
        ]

    def clean(self):
        data = super().clean()
        low, high = data.get("step2_min"), data.get("step2_max")
        if low and high and low > high:
            self.add_error("step2_max", _("The upper score must be at least the lower one."))
        return data


BULK_TARGETS = [
    (Status.UNDER_REVIEW, _("Move to review")),
    (Status.INTERVIEW, _("Invite to interview")),
    (Status.REJECTED, _("Reject")),
]


class BulkMoveForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Move the selected applications"), choices=BULK_TARGETS)
    message = forms.CharField(
        label=_("Message to the applicants"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("{name}, {listing} and {start_date} are filled in for each applicant."),
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, allowed_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in allowed_ids]
        self.fields["ids"].error_messages["required"] = _("Select at least one application.")


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Move to"))
    message = forms.CharField(
        label=_("Message to the applicant"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(t, Status(t).label) for t in targets]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Private note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by your institution's coordinators only, never by the applicant."),
    )


class ScoreForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in Score.Criterion:
            self.fields[criterion.value] = forms.TypedChoiceField(
                label=criterion.label,
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
            )


class SlotForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts at (your institution's time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = InterviewSlot
        fields = ["starts_at", "duration_minutes", "where"]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = ListingQuestion
        fields = ["prompt", "kind", "choices", "required"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ListingQuestion.Kind.CHOICE and not (data.get("choices") or "").strip():
            self.add_error("choices", _("List the options, one a line."))
        return data


class InterviewRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Times that would suit you"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompletionForm(forms.Form):
    evaluation = forms.CharField(
        label=_("Evaluation"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown to the applicant with their certificate."),
    )
    early_reason = forms.CharField(
        label=_("Reason for completing before the session ends"),
        required=False,
        max_length=500,
        help_text=_("Only before the session's last day: why the rotation ended early. It goes on the timeline."),
    )


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["hands_on", "letter_received", "real_total_cost", "comment"]
        labels = {
            "hands_on": _("How hands-on was it really?"),
            "real_total_cost": _("What did it cost you in total (US dollars)?"),
        }
