"""The file e-mail backend, slowed down like a remote SMTP server, so a kill lands mid-batch."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("PORTAL_IT_SEND_SECONDS", "0.25")))
        return super().send_messages(email_messages)
