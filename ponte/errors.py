"""Errors every service raises and the gateway maps to HTTP problem documents.

They cross nameko RPC as themselves: each class is registered with nameko's exception registry,
so a remote ``Conflict`` arrives at the caller as a ``Conflict``. nameko serialises ``args``
through JSON and turns scalars into strings, so every constructor takes only a detail string, a
field-error mapping and an optional ``retry_after`` (seconds, accepted as str or int).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import get_module_path, registry

FieldErrors = Mapping[str, list[str]]


class PonteError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, detail: str = "", errors: FieldErrors | None = None,
                 retry_after: int | str | None = None):
        errors = dict(errors or {})
        retry = "" if retry_after in (None, "", "None") else str(int(float(retry_after)))
        super().__init__(detail or self.title, errors, retry)
        self.detail = detail or self.title
        self.errors = {key: list(value) for key, value in errors.items()}
        self.retry_after = int(retry) if retry else None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        registry[get_module_path(cls)] = cls

    def __str__(self) -> str:
        return self.detail


class BadRequest(PonteError):
    status, title = 400, "Bad request"


class Unauthenticated(PonteError):
    status, title = 401, "Not authenticated"


class Forbidden(PonteError):
    status, title = 403, "Forbidden"


class NotFound(PonteError):
    status, title = 404, "Not found"


class Conflict(PonteError):
    status, title = 409, "Conflict"


class PayloadTooLarge(PonteError):
    status, title = 413, "Payload too large"


class UnsupportedMediaType(PonteError):
    status, title = 415, "Unsupported media type"


class InvalidInput(PonteError):
    status, title = 422, "Invalid input"


class TooManyAttempts(PonteError):
    status, title = 429, "Too many attempts"


class ServiceUnavailable(PonteError):
    status, title = 503, "Service unavailable"


def invalid(field: str, message: str) -> InvalidInput:
    """Shorthand for the common single-field validation failure."""
    return InvalidInput(f"{field}: {message}", {field: [message]})


# How a message broker that went away (restart, reset, refused) shows itself to a client.
BROKER_AWAY = (KombuError, AMQPError, OSError)


# How a database that could not run a statement for a reason a retry may cure shows itself:
# it is down, restarting, refusing connections, or the connection broke.
DATABASE_AWAY = (sa.exc.OperationalError, sa.exc.InterfaceError)


def database_unreachable(exc: BaseException | None) -> bool:
    """The database is away (:data:`DATABASE_AWAY`): answered 503, retried, logged as one
    line."""
    return isinstance(exc, DATABASE_AWAY)


def first_line(exc: BaseException) -> str:
    """An exception's type and the first line of its message, for a one-line log."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(getattr(exc, 'orig', None) or exc).__name__}: {text[0] if text else ''}"
