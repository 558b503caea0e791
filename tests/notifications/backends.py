"""An e-mail backend that refuses, like an SMTP server that is down, N times then recovers."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

state = {"failures_left": 0}


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        if state["failures_left"] > 0:
            state["failures_left"] -= 1
            raise ConnectionRefusedError("SMTP server refused the connection")
        return super().send_messages(messages)


__all__ = ["FlakyBackend", "mail", "state"]
