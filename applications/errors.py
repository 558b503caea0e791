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
