from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        # This app's part of "My data": exported; kept, anonymised, on deletion (see personal_data).
        from applicants.personal_data import register
        from placements import places

        from . import personal_data, seats

        register(exporter=personal_data.export)
        # The API answers the services' refusals as 409 with their message.
        from api.problems import register_service_error

        from .errors import ApplicationError

        register_service_error(ApplicationError)
        # The listing page shows the programme's reviews.
        from placements.querysets import register_seats_held
        from placements.selectors import register_listing_page_part

        from .selectors import listing_reviews_part, seats_held_per_session

        register_listing_page_part(listing_reviews_part)
        # Sessions' seats left count what holds a seat here.
        register_seats_held(seats_held_per_session)
        # An applicant whose application changed since the cutoff, or is still live (being decided
        # or carried out), keeps their documents.
        from django.db.models import Q

        from applicants.retention import Activity, register_activity

        from .models import Application
        from .states import FINAL, Status

        live = set(Status.values) - FINAL - {Status.DRAFT}
        register_activity(
            Activity(Application.objects.all, owner="applicant", dates=("updated_at",), live=Q(status__in=live))
        )
        # Placements asks before lowering a session's seats or archiving it.
        places.register(seats.places_held)
