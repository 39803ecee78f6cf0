"""Business days: Mondays to Fridays that are not Brazilian national holidays, in the operator's
time zone (API.md "Precise points"; audit due times, 001). Holidays come from the maintained
``holidays`` package (moveable feasts such as Good Friday included), never from a hand-written list.

Carnival is not a national holiday in Brazilian law (it is an optional day off, "ponto
facultativo"), so it counts as a business day here, as the contract says.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import holidays

from ponte.clock import as_utc, local_zone


@functools.lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BR", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in national_holidays(day.year)


def next_business_day_after(day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(moment: datetime, days: int) -> datetime:
    """The same local wall time ``days`` business days after ``moment`` (aware UTC).

    Counting starts from the local day of ``moment`` whatever it is: a request made on a Saturday
    is due at the same time on the next business day after it. A wall time that does not exist or
    repeats on the target day (a daylight-saving change) resolves as ``zoneinfo`` does.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    local = as_utc(moment).astimezone(local_zone())
    day = local.date()
    for _ in range(days):
        day = next_business_day_after(day)
    target = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=local_zone())
    return as_utc(target)


def next_business_day(moment: datetime) -> datetime:
    """Same local time on the next business day: an audit's ``due_at`` (API.md)."""
    return add_business_days(moment, 1)
