"""nameko dependencies of the relationships service."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Callable

from nameko.extensions import DependencyProvider


class Clock(DependencyProvider):
    """The service's "now" (aware UTC). ``PONTE_CLOCK_OFFSET_DAYS``, read at start, shifts it so
    end-to-end tests can let relationships expire; tests in-process set ``offset`` directly."""

    def setup(self) -> None:
        self.offset = timedelta(days=float(os.environ.get("PONTE_CLOCK_OFFSET_DAYS") or 0))

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def get_dependency(self, worker_ctx) -> Callable[[], datetime]:  # noqa: ANN001
        return self.now
