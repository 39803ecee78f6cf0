"""The one table from errors to HTTP problem documents (RFC 9457, ``application/problem+json``),
and the one place they are put in the caller's language (:func:`localize`)."""
from __future__ import annotations

import json
import logging
from typing import Any

from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from gateway.i18n import from_header, translator
from ponte import logs
from ponte.errors import InvalidInput, PayloadTooLarge, PonteError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages → ``{"items.0.tooth": ["..."]}``."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            if key == "_schema":  # a whole-object error belongs to the object itself
                name = prefix or "_body"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, errors in flatten(value, name).items():
                flat.setdefault(field, []).extend(errors)
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": list(messages)}
    if isinstance(messages, list):
        flat = {}
        for index, value in enumerate(messages):
            flat.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "_body": [str(messages)]}


def as_ponte_error(exc: BaseException) -> PonteError:
    if isinstance(exc, PonteError):
        return exc
    if isinstance(exc, ValidationError):
        errors = flatten(exc.messages)
        return InvalidInput("Some fields are invalid: " + ", ".join(sorted(errors)) + ".", errors)
    if isinstance(exc, RequestEntityTooLarge):
        return PayloadTooLarge("The request body is larger than this endpoint accepts.")
    if isinstance(exc, HTTPException):
        error = PonteError(exc.description or exc.name)
        error.status, error.title = exc.code or 500, exc.name
        return error
    log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
    return PonteError("Something went wrong on our side; it has been logged with correlation id "
                      f"{logs.correlation_id()}.")


def problem_response(exc: BaseException) -> Response:
    error = as_ponte_error(exc)
    allow = getattr(exc, "valid_methods", None)  # werkzeug's 405 names what the path accepts
    body: dict[str, Any] = {
        "type": f"https://ponte.dev/problems/{error.status}",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = error.errors
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    elif error.status in (429, 503):
        headers["Retry-After"] = "5"
    if allow:
        headers["Allow"] = ", ".join(sorted(set(allow)))
    return Response(json.dumps(body), status=error.status, headers=headers, mimetype=PROBLEM)


def localize(response: Response, accept_language: str | None) -> Response:
    """A problem document in the language ``Accept-Language`` asks for (pt-BR by default, en,
    it): ``title``, ``detail`` and the field messages from the gettext catalogues; ``type``,
    ``status`` and the field keys never change. Any other answer is returned untouched."""
    if response.mimetype != PROBLEM or response.is_streamed:
        return response
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return response
    locale = from_header(accept_language)
    if isinstance(body, dict):
        response.set_data(json.dumps(translator(locale).problem(body), ensure_ascii=False))
    response.headers["Content-Language"] = locale
    response.vary.add("Accept-Language")
    return response
