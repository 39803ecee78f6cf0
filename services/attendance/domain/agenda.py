"""A local day's bounds (the operator's time zone): an agenda's day and a period's days begin
at local midnight."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ponte.clock import as_utc, local_zone


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day begins and ends."""
    start = datetime.combine(day, time(0), tzinfo=local_zone())
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone())
    return as_utc(start), as_utc(end)
