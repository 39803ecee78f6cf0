"""What every Ponte service has: a ``ping`` RPC for readiness, metrics and correlation ids, and
an entrypoint for work done once at start (seeding, bootstrap accounts)."""
from __future__ import annotations

from nameko.extensions import Entrypoint
from nameko.rpc import Rpc

from ponte.errors import PonteError
from ponte.observability import Observability

rpc = Rpc.decorator(expected_exceptions=PonteError)
"""nameko's ``rpc``, with Ponte's domain errors expected: a refusal (409, 422 ...) is logged as a
warning, not as a failure with a traceback."""


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
