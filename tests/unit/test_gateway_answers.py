"""What any route can declare: money, dates and instants in answers, CSV through the same table,
repeated query parameters, and the Idempotency-Key handed to the service."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.api import Api, Input, fields

api = Api()
seen: dict = {}


class ListQuery(Input):
    status = fields.List(fields.String(), load_default=None)
    q = fields.String(load_default=None)


@api.route("GET", "/agenda", public=True, query=ListQuery,
           csv=lambda payload: (["starts_at", "subject"],
                                [[item["starts_at"], item["subject"]]
                                 for item in payload["items"]]))
def agenda(call):
    seen["query"] = call.query
    return {"date": date(2026, 12, 1), "total": Decimal("123.40"),
            "items": [{"starts_at": datetime(2026, 12, 1, 13, tzinfo=UTC),
                       "subject": "=HYPERLINK(\"http://evil\")"},
                      {"starts_at": datetime(2026, 12, 1, 14, tzinfo=UTC),
                       "subject": "Consulta, retorno \"urgente\" ç"}]}


class Thing(Input):
    a = fields.Integer()
    b = fields.Integer()


@api.route("POST", "/things", public=True, body=Thing, idempotent=True, status=201)
def create(call):
    seen["idempotency"] = call.idempotency
    return {"ok": True}


def _call(path: str, method: str = "GET", headers: dict | None = None, body: dict | None = None):
    environ = EnvironBuilder(path=path, method=method, headers=headers or {},
                             data=json.dumps(body) if body is not None else None,
                             content_type="application/json" if body is not None else None
                             ).get_environ()
    return api.dispatch(Request(environ), None, None, None)


def test_decimals_dates_and_instants_render_as_the_contract_writes_them():
    answer = _call("/agenda")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["date"] == "2026-12-01" and data["total"] == "123.40"
    assert data["items"][0]["starts_at"] == "2026-12-01T13:00:00Z"


def test_csv_by_accept_header_or_format_parameter_reads_back_with_the_csv_module():
    for answer in (_call("/agenda", headers={"Accept": "text/csv"}), _call("/agenda?format=csv")):
        assert answer.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
        assert rows[0] == ["starts_at", "subject"]
        assert rows[1] == ["2026-12-01T13:00:00Z", "'=HYPERLINK(\"http://evil\")"]
        assert rows[2][1] == "Consulta, retorno \"urgente\" ç"
    assert _call("/agenda", headers={"Accept": "application/json, text/csv;q=0.5"}
                 ).mimetype == "application/json"


def test_repeated_parameters_are_lists_where_declared_and_refused_elsewhere():
    assert _call("/agenda?status=a&status=b").status_code == 200
    assert seen["query"]["status"] == ["a", "b"]
    refused = _call("/agenda?q=a&q=b")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"q": ["Give this parameter once."]}


def test_the_idempotency_key_reaches_the_handler_with_a_fingerprint_of_the_body():
    _call("/things", "POST", {"Idempotency-Key": "k-1"}, {"a": 1, "b": 2})
    first = seen["idempotency"]
    _call("/things", "POST", {"Idempotency-Key": "k-1"}, {"b": 2, "a": 1})
    assert seen["idempotency"] == first  # key order does not change the body
    _call("/things", "POST", {"Idempotency-Key": "k-1"}, {"a": 2})
    assert seen["idempotency"]["fingerprint"] != first["fingerprint"]
    _call("/things", "POST", body={"a": 1})
    assert seen["idempotency"] is None
    assert _call("/things", "POST", {"Idempotency-Key": "has space"}, {}).status_code == 422


def test_cells_that_start_like_formulas_after_invisible_characters_are_neutralised():
    from gateway.rendering import csv_cell
    for cell in ["\n=1+1", "\x0b=cmd", "\x00@SUM(A1)", " \n+1", "\u200b-1", "\r\n=2", "\x1c=3",
                 "=1", "\t=1"]:
        assert csv_cell(cell) == "'" + cell, repr(cell)
    for cell in ["hello", " hello", "\nhello", "a=b", "1-2"]:
        assert csv_cell(cell) == cell, repr(cell)
