"""Structured (JSON) logs that carry the correlation id of the request or event being handled.

The correlation id is born at the gateway (or taken from an ``X-Correlation-Id`` header), travels
in nameko's context data across RPC, is stored with every outbox event and restored in the
handler that consumes it.
"""
from __future__ import annotations

import logging
import sys

from eventlet.corolocal import local
from pythonjsonlogger.json import JsonFormatter

_current = local()


def set_correlation_id(value: str | None) -> None:
    _current.correlation_id = value


def correlation_id() -> str | None:
    return getattr(_current, "correlation_id", None)


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id()
        return True


def configure(level: str = "INFO", service: str = "ponte") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        static_fields={"process_role": service},
    ))
    handler.addFilter(_CorrelationFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kombu", "amqp", "nameko", "botocore", "boto3", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
