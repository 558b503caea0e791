from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Letters of recommendation"

    def ready(self) -> None:
        # This app's part of "My data" (export, and erasure on account deletion).
        from applicants.personal_data import register

        from . import personal_data

        register(exporter=personal_data.export, eraser=personal_data.erase)
        # The API answers the services' refusals as 409 with their message.
        from api.problems import register_service_error

        from .services import LetterError

        register_service_error(LetterError)
        # An application is not submitted without its letters.
        from django.urls import reverse
        from django.utils.translation import gettext_lazy

        from applications.selectors import register_submission_check

        from .selectors import assignment_problems

        register_submission_check(
            assignment_problems,
            fix_url=lambda application: reverse("letters:assign", args=[application.pk]),
            fix_label=gettext_lazy("Choose letters"),
        )
        # An applicant who asked for a letter, or received one, since the cutoff keeps their documents.
        from applicants.retention import Activity, register_activity

        from .models import LetterRequest

        register_activity(Activity(LetterRequest.objects.all, owner="applicant", dates=("created_at", "uploaded_at")))
