"""What every Ponte service has: a ``ping`` RPC for readiness, metrics and correlation ids, and
an entrypoint for work done once at start (seeding, bootstrap accounts)."""
from __future__ import annotations

from nameko.extensions import Entrypoint
from nameko.rpc import rpc

from ponte.observability import Observability


class OnStart(Entrypoint):
    """Runs the decorated method once, in a worker, after the container has started."""

    def start(self) -> None:
        self.container.spawn_managed_thread(self._run, identifier=f"on_start:{self.method_name}")

    def _run(self) -> None:
        self.container.spawn_worker(self, (), {})


on_start = OnStart.decorator


class BaseService:
    name: str
    observability = Observability()

    @rpc
    def ping(self) -> dict:
        return {"service": self.name, "status": "ok"}
