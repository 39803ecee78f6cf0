"""Days and times as colleagues read them, in the operator's time zone (``PONTE_TIMEZONE``): an
agenda's day and a period's days begin at local midnight, and an item's time is local."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ponte.clock import as_utc, local_zone, to_local


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day begins and ends."""
    start = datetime.combine(day, time(0), tzinfo=local_zone())
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone())
    return as_utc(start), as_utc(end)


def local_time(moment: datetime) -> str:
    """``HH:MM`` on the local clock."""
    return to_local(moment).strftime("%H:%M")


def time_zone() -> str:
    """The zone's IANA name (``America/Sao_Paulo``)."""
    return local_zone().key
