"""The one clock of every service, and how instants are written.

``now()`` is aware UTC. ``PONTE_CLOCK_OFFSET_DAYS`` (read once per process) shifts it, so
end-to-end tests can let time pass (relationships expire, audits become overdue) without
waiting. Dates that people see — "today", a business day, an agenda's day — are in the operator's
time zone, ``PONTE_TIMEZONE`` (America/Sao_Paulo by default).
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from nameko.extensions import DependencyProvider

from ponte.config import settings


@functools.cache
def _offset() -> timedelta:
    return timedelta(days=float(os.environ.get("PONTE_CLOCK_OFFSET_DAYS") or 0))


def now() -> datetime:
    """The current instant, aware UTC (shifted by ``PONTE_CLOCK_OFFSET_DAYS``)."""
    return datetime.now(UTC) + _offset()


def local_zone() -> ZoneInfo:
    """The operator's time zone, in which days begin and end."""
    return _zone(settings().timezone)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(moment: datetime) -> datetime:
    """``moment`` as wall time in the operator's zone (a naive value is taken to be UTC)."""
    return as_utc(moment).astimezone(local_zone())


def local_today(moment: datetime | None = None) -> date:
    """The operator's calendar day at ``moment`` (default: now)."""
    return to_local(moment or now()).date()


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None \
        else moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """An instant as API.md writes it: ISO-8601 UTC with ``Z`` (``2026-12-01T14:00:00Z``);
    microseconds are kept when present. ``None`` stays ``None``."""
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """The inverse of :func:`iso` (also accepts an explicit offset)."""
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


class Clock(DependencyProvider):
    """A service's "now": ``clock = Clock()`` as a class attribute, ``self.clock()`` in a
    worker. In-process tests set ``offset`` on the provider to move time."""

    def setup(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return now() + self.offset

    def get_dependency(self, worker_ctx) -> Callable[[], datetime]:  # noqa: ANN001
        return self.now
