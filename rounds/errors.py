class RoundError(Exception):
    """A refused change to a match round, with a message fit to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
