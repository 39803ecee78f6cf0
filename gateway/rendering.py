"""How answers are written: JSON (money as decimal strings, instants in UTC with ``Z``, dates as
``YYYY-MM-DD``) or, for routes with a table, CSV whose cells a spreadsheet will not run."""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ponte.clock import iso

if TYPE_CHECKING:
    from gateway.api import Route

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(route: Route, result: Any, request: Request | None = None) -> Response:
    """The answer of a route: a Response as it is, None as 204, else the payload (dumped by the
    route's response schema) as JSON, or as CSV when the route has a table and the client asks."""
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    payload = route.dump(result) if route.dump is not None else result
    if route.csv is not None and request is not None and wants_csv(request):
        header, rows = route.csv(payload)
        return Response(csv_text(header, rows), status=route.status,
                        mimetype="text/csv", headers={"Content-Disposition": "inline"})
    return Response(json.dumps(payload, default=json_value), status=route.status,
                    mimetype="application/json")


def json_value(value: Any) -> Any:
    """JSON for the values answers may carry: money as a decimal string, instants as UTC with
    ``Z``, dates as ``YYYY-MM-DD`` (API.md conventions)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def wants_csv(request: Request) -> bool:
    """``?format=csv``, or an ``Accept`` that prefers text/csv to JSON."""
    if request.args.get("format") == "csv":
        return True
    if "text/csv" not in request.headers.get("Accept", ""):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting like a formula, even after line breaks,
    control or invisible characters, gets a leading quote (OWASP's CSV-injection advice)."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date, Decimal)):
        return json_value(value)
    if isinstance(value, str) and (value.startswith(FORMULA_START)
                                   or _unseen_lead(value).startswith(FORMULA_START)):
        return "'" + value
    return value


def _unseen_lead(text: str) -> str:
    """``text`` after any leading white space, control or invisible characters: what a
    spreadsheet may take as the start of the cell."""
    start = 0
    while start < len(text) and (text[start].isspace() or
                                 unicodedata.category(text[start]) in ("Cc", "Cf")):
        start += 1
    return text[start:]


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()
