"""RPC to other services with a deadline.

nameko waits forever for a reply by default. :class:`Services` bounds every call: a service that
is down, unknown or too slow raises ``ServiceUnavailable`` (503 at the gateway) within
``PONTE_RPC_TIMEOUT`` seconds, and the request message expires in the broker at the same time so a
service coming back does not act on a request whose caller has already been told it failed.
"""
from __future__ import annotations

from typing import Any

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import ClusterRpc

from ponte.config import settings
from ponte.errors import ServiceUnavailable


class RemoteCall:
    def __init__(self, client, timeout: float) -> None:  # noqa: ANN001
        self._client = client
        self._timeout = timeout

    def __call__(self, service: str, method: str, *args: Any, timeout: float | None = None,
                 **kwargs: Any) -> Any:
        return self.start(service, method, *args, **kwargs).result(timeout)

    def start(self, service: str, method: str, *args: Any, **kwargs: Any) -> "PendingCall":
        try:
            reply = getattr(getattr(self._client, service), method).call_async(*args, **kwargs)
        except UnknownService:
            raise ServiceUnavailable(f"The {service} service is not running.",
                                     retry_after=5) from None
        return PendingCall(service, reply, self._timeout)


class PendingCall:
    def __init__(self, service: str, reply, timeout: float) -> None:  # noqa: ANN001
        self.service = service
        self._reply = reply
        self._timeout = timeout

    def result(self, timeout: float | None = None) -> Any:
        try:
            with eventlet.Timeout(timeout or self._timeout):
                return self._reply.result()
        except eventlet.Timeout:
            raise ServiceUnavailable(f"The {self.service} service did not answer in time.",
                                     retry_after=5) from None


class Services(ClusterRpc):
    """nameko dependency: ``self.call("identity", "login", ...)`` with the configured deadline."""

    def __init__(self, timeout: float | None = None, **options: Any) -> None:
        self.timeout = timeout
        super().__init__(expiration=timeout or settings().rpc_timeout, **options)

    def get_dependency(self, worker_ctx) -> RemoteCall:  # noqa: ANN001
        return RemoteCall(super().get_dependency(worker_ctx), self.timeout or settings().rpc_timeout)
