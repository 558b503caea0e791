"""This app's kinds of message (registered into notifications' registry when portal's
AppConfig.ready() imports this module): both caused by a change to a round, never scanned for."""

from notifications import kinds
from notifications.kinds import ReminderKind

from . import emails

kinds.register(
    ReminderKind(
        code=emails.CHANGED_KIND,
        label="New dates of a match round you ranked in",
        subject_type=emails.SUBJECT_TYPE,
        find_due=None,
        load_subjects=emails.changed_load,
        render=emails.changed_render,
        in_app=emails.changed_in_app,
        transactional=True,
    )
)

kinds.register(
    ReminderKind(
        code=emails.CANCELLED_KIND,
        label="A match round you ranked in was cancelled",
        subject_type=emails.SUBJECT_TYPE,
        find_due=None,
        load_subjects=emails.cancelled_load,
        render=emails.cancelled_render,
        in_app=emails.cancelled_in_app,
        transactional=True,
    )
)
