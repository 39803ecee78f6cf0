"""Business days (API.md: due_at is the same local time on the next business day in
America/Sao_Paulo, skipping weekends and Brazilian national holidays)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ponte.calendar import add_business_days, is_business_day, next_business_day
from ponte.clock import iso, local_today, parse_iso


def sp(text: str) -> datetime:
    """A São Paulo wall time (UTC-3, no daylight saving since 2019) as aware UTC."""
    return parse_iso(text + "-03:00")


@pytest.mark.parametrize("day, business", [
    (date(2026, 12, 1), True),     # a Tuesday
    (date(2026, 12, 5), False),    # Saturday
    (date(2026, 12, 6), False),    # Sunday
    (date(2026, 12, 25), False),   # Christmas
    (date(2027, 1, 1), False),     # New Year
    (date(2026, 4, 3), False),     # Good Friday (moveable)
    (date(2027, 3, 26), False),    # Good Friday 2027
    (date(2026, 2, 16), True),     # Carnival Monday: optional, not a national holiday
    (date(2026, 2, 17), True),     # Carnival Tuesday
    (date(2026, 11, 20), False),   # Black Awareness Day, national since 2024
    (date(2026, 4, 21), False),    # Tiradentes
])
def test_weekends_and_national_holidays_are_not_business_days(day, business):
    assert is_business_day(day) is business


@pytest.mark.parametrize("submitted, due", [
    ("2026-12-01T10:15:00", "2026-12-02T10:15:00"),  # Tuesday → Wednesday
    ("2026-12-04T16:00:00", "2026-12-07T16:00:00"),  # Friday → Monday
    ("2026-12-05T09:00:00", "2026-12-07T09:00:00"),  # Saturday → Monday
    ("2026-12-24T11:00:00", "2026-12-28T11:00:00"),  # Christmas Eve → over Christmas and a weekend
    ("2026-12-31T23:30:00", "2027-01-04T23:30:00"),  # year end: 1 Jan holiday, then the weekend
    ("2026-04-02T08:00:00", "2026-04-06T08:00:00"),  # Thursday before Good Friday
    ("2026-02-13T14:00:00", "2026-02-16T14:00:00"),  # Friday before Carnival → Carnival Monday
])
def test_next_business_day_keeps_the_local_time(submitted, due):
    assert next_business_day(sp(submitted)) == sp(due)


def test_the_local_day_decides_not_the_utc_day():
    """22:30 in São Paulo on a Friday is already Saturday in UTC: still due on Monday."""
    friday_night = sp("2026-12-04T22:30:00")
    assert friday_night.astimezone(UTC).date() == date(2026, 12, 5)
    assert local_today(friday_night) == date(2026, 12, 4)
    assert next_business_day(friday_night) == sp("2026-12-07T22:30:00")


def test_adding_several_business_days():
    assert add_business_days(sp("2026-12-21T09:00:00"), 5) == sp("2026-12-29T09:00:00")
    assert add_business_days(sp("2026-12-21T09:00:00"), 0) == sp("2026-12-21T09:00:00")
    with pytest.raises(ValueError):
        add_business_days(sp("2026-12-21T09:00:00"), -1)


def test_instants_are_written_in_utc_with_z():
    assert iso(sp("2026-12-01T10:00:00")) == "2026-12-01T13:00:00Z"
    assert iso(None) is None
    assert parse_iso("2026-12-01T13:00:00Z") == sp("2026-12-01T10:00:00")
