"""An independent reading of the responsiveness figures, straight from the raw application events:
each application's events walked in time order, no SQL aggregate. trust.responsiveness must agree."""

import datetime as dt
import statistics
from collections import defaultdict

from applications.models import Application, ApplicationEvent
from placements.models import Session

DECISIONS = {"offered", "waitlisted", "rejected"}


def figures_by_listing(now: dt.datetime) -> dict[int, dict]:
    events = defaultdict(list)
    for event in ApplicationEvent.objects.order_by("created_at", "pk"):
        events[event.application_id].append(event)
    per_listing = defaultdict(lambda: {"days": [], "offered": 0, "ripe": 0, "in_time": 0, "seats": 0, "taken": 0})
    for application in Application.objects.select_related("session"):
        if application.submitted_at is None or not (now - dt.timedelta(days=365) <= application.submitted_at <= now):
            continue
        tally = per_listing[application.session.listing_id]
        history = events[application.pk]
        decision = next((e.created_at for e in history if e.to_status in DECISIONS), None)
        withdrawal = next((e.created_at for e in history if e.to_status == "withdrawn"), None)
        waited = (decision or now) - application.submitted_at
        if decision is not None:
            tally["days"].append(waited.total_seconds() / 86400)
            tally["offered"] += any(e.to_status == "offered" for e in history)
            tally["ripe"] += 1
            tally["in_time"] += waited <= dt.timedelta(days=14)
        elif waited >= dt.timedelta(days=14) and not (
            withdrawal and withdrawal - application.submitted_at < dt.timedelta(days=14)
        ):
            tally["ripe"] += 1
    today = now.date()
    for session in Session.objects.all():
        if today - dt.timedelta(days=365) <= session.start_date <= today:
            taken = session.applications.filter(status__in=["accepted", "enrolled", "completed"]).count()
            per_listing[session.listing_id]["seats"] += session.seats
            per_listing[session.listing_id]["taken"] += min(taken, session.seats)
    out = {}
    for listing_id, t in per_listing.items():
        decided = len(t["days"])
        out[listing_id] = {
            "decided": decided,
            "median_days": statistics.median(t["days"]) if decided >= 5 else None,
            "within_14": t["in_time"] / t["ripe"] if decided >= 5 and t["ripe"] else None,
            "offered": t["offered"] / decided if decided >= 5 else None,
            "fill": t["taken"] / t["seats"] if decided >= 5 and t["seats"] else None,
        }
    return out
