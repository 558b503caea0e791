import pytest

from notifications import outbox, services


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """One beat tick at `now` (the matchers run in the alert kinds' sources), then its batches
    delivered at `now` as a worker would."""

    def run(now, deliver=True):
        with django_capture_on_commit_callbacks(execute=False):
            result = services.reminders_scan(now=now)
        if deliver:
            for batch in result.queued_ids:
                outbox.outbox_deliver_batch(message_ids=batch, now=now)
        return result

    return run
