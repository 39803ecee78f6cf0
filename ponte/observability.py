"""Prometheus metrics and correlation ids for every worker of every service.

Labels follow nameko-prometheus: ``method_name`` for RPC, ``source_service``/``event_type`` for
events; the gateway's HTTP metrics (``http_method``, ``endpoint``, ``status_code``) live in
``gateway.metrics``.
"""
from __future__ import annotations

import time
import uuid

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import Counter, Histogram

from ponte import logs

RPC_LATENCY = Histogram("ponte_rpc_duration_seconds", "RPC handling time",
                        ["service", "method_name", "outcome"])
EVENTS_HANDLED = Counter("ponte_events_handled_total", "Event handler runs",
                         ["service", "source_service", "event_type", "outcome"])
EVENT_LATENCY = Histogram("ponte_event_handler_duration_seconds", "Event handler time",
                          ["service", "source_service", "event_type"])


class Observability(DependencyProvider):
    """Sets the worker's correlation id for logs and records its duration and outcome."""

    def __init__(self) -> None:
        self._started: dict[int, float] = {}

    def worker_setup(self, worker_ctx) -> None:  # noqa: ANN001
        cid = worker_ctx.context_data.get("correlation_id") or uuid.uuid4().hex
        worker_ctx.context_data["correlation_id"] = cid
        logs.set_correlation_id(cid)
        self._started[id(worker_ctx)] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:  # noqa: ANN001
        elapsed = time.perf_counter() - self._started.pop(id(worker_ctx), time.perf_counter())
        service = self.container.service_name
        entrypoint = worker_ctx.entrypoint
        outcome = "error" if exc_info else "success"
        if isinstance(entrypoint, Rpc):
            RPC_LATENCY.labels(service, entrypoint.method_name, outcome).observe(elapsed)
        elif isinstance(entrypoint, EventHandler):
            EVENTS_HANDLED.labels(service, entrypoint.source_service, entrypoint.event_type,
                                  outcome).inc()
            EVENT_LATENCY.labels(service, entrypoint.source_service,
                                 entrypoint.event_type).observe(elapsed)

    def worker_teardown(self, worker_ctx) -> None:  # noqa: ANN001
        logs.set_correlation_id(None)
