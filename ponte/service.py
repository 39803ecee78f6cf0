"""What every Ponte service has: a ``ping`` RPC for readiness, metrics and correlation ids, and
an entrypoint for work done once at start (seeding, bootstrap accounts)."""
from __future__ import annotations

from nameko.extensions import Entrypoint
from nameko.rpc import Rpc

from ponte.errors import PonteError, ServiceUnavailable, database_unreachable
from ponte.observability import Observability
from ponte.rpc import reply


class RpcEntrypoint(Rpc):
    """nameko's RPC entrypoint, with Ponte's domain errors expected (a refusal such as 409 or
    422 is logged as a warning, not as a failure), and a database that cannot be reached
    answered as ``ServiceUnavailable`` (503, try again) instead of an internal error."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("expected_exceptions", PonteError)
        super().__init__(**kwargs)

    def handle_result(self, message, worker_ctx, result, exc_info):  # noqa: ANN001, ANN201
        if exc_info is not None and database_unreachable(exc_info[1]):
            unavailable = ServiceUnavailable("The database is not reachable right now.",
                                             retry_after=5)
            exc_info = (ServiceUnavailable, unavailable, exc_info[2])
        return reply(self.rpc_consumer, message, result, exc_info)  # no confirm wait: rpc.py


rpc = RpcEntrypoint.decorator


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
