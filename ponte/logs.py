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

from ponte.errors import database_unreachable, first_line

_current = local()


def set_correlation_id(value: str | None) -> None:
    _current.correlation_id = value


def correlation_id() -> str | None:
    return getattr(_current, "correlation_id", None)


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id()
        return True


class ExpectedRefusals(logging.Filter):
    """nameko logs every expected exception of a worker as a WARNING with its traceback. A
    refusal (a Ponte error with a 4xx status: 404, 409, 422, ...) is routine: one INFO line,
    dropped when INFO is not wanted. Errors of 5xx keep their WARNING and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        status = getattr(exc, "status", None)
        if not (isinstance(status, int) and status < 500 and str(record.msg).startswith(
                "(expected)")):
            return True
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.msg, record.args = "%s refused: %s %s: %s", (_where(record), status,
                                                            type(exc).__name__, exc)
        record.exc_info, record.exc_text = None, None
        return logging.getLogger().isEnabledFor(logging.INFO)


class DatabaseOutages(logging.Filter):
    """A worker that failed because the database is away (down, restarting, connection
    broken) is answered 503 or retried; nameko logs it as an ERROR with its traceback, one per
    request or event, which buries real errors during an outage. Here it is one WARNING line."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if database_unreachable(exc) and "error handling worker" in str(record.msg):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "%s: the database is away (%s)", (_where(record),
                                                                        first_line(exc))
            record.exc_info, record.exc_text = None, None
        return True


def _where(record: logging.LogRecord) -> str:
    """``service.method`` of the nameko worker a record is about."""
    worker_ctx = record.args[0] if isinstance(record.args, tuple) and record.args else None
    entrypoint = getattr(worker_ctx, "entrypoint", None)
    return (f"{getattr(getattr(entrypoint, 'container', None), 'service_name', '?')}."
            f"{getattr(entrypoint, 'method_name', '?')}")


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
    containers = logging.getLogger("nameko.containers")
    for kind in (ExpectedRefusals, DatabaseOutages):
        if not any(isinstance(f, kind) for f in containers.filters):
            containers.addFilter(kind())
