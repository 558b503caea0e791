from django.utils.translation import gettext as _


class ApplicationError(Exception):
    """A refused change, with a message fit to show the user and, optionally, what is missing."""

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []


class TryAgain(ApplicationError):
    """A lock could not be had in time: nothing changed, and trying again will likely work."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The portal is busy. Please try again."))


class AlreadyMoved(ApplicationError):
    """The application is already where the move would take it; the message says who moved it and when."""

    def __init__(self, message: str, *, application, by_same_actor: bool) -> None:
        super().__init__(message)
        self.application = application
        self.by_same_actor = by_same_actor
