"""A per-process cache of another service's answers, with the gateway's freshness rule
(``gateway/permissions.py``, docs/permissions.md): an answer is kept for ``seconds`` (30 by
default), an event that says the thing changed drops it at once (:meth:`Fresh.forget`), and an
answer fetched while such an event arrived is not kept, so it cannot outlive the change. If an
event were lost, staleness stays bounded by ``seconds``."""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

SECONDS = 30.0
"""The gateway's ``CACHE_SECONDS``: a change applies at most this late."""


class Fresh(Generic[V]):
    """``fresh.get(key, fetch)``: the kept answer, or ``fetch()``'s, kept where ``keep`` says."""

    def __init__(self, seconds: float = SECONDS, limit: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.limit = limit
        self.clock = clock
        self._kept: dict[Hashable, tuple[float, V]] = {}
        self._forgets = 0

    def get(self, key: Hashable, fetch: Callable[[], V],
            keep: Callable[[V], bool] = lambda _: True) -> V:
        kept = self._kept.get(key)
        if kept is not None and kept[0] > self.clock():
            return kept[1]
        forgets = self._forgets
        value = fetch()
        if keep(value) and forgets == self._forgets:  # read before a change: not kept
            if len(self._kept) >= self.limit:
                self._kept.clear()
            self._kept[key] = (self.clock() + self.seconds, value)
        return value

    def forget(self, key: Hashable) -> None:
        self._forgets += 1
        self._kept.pop(key, None)

    def clear(self) -> None:
        self._forgets += 1
        self._kept.clear()
