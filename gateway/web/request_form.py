"""The form of an authorization request ("Nova solicitação"), as plain data: procedure rows read
from and written to form fields, the catalogue entries a row names, attachments uploaded
through ``POST /api/v1/uploads`` and kept across a failed submission. No domain rule: the API
judges everything; this only turns fields into the API's body and the API's errors back into
fields."""
from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.web.client import Answer
from gateway.web.screen import Screen
from ponte import logs
from ponte.contracts.authorizations import (
    DECIDUOUS_TEETH,
    FACES,
    PERMANENT_TEETH,
    PROCEDURE_CODE,
    REGIONS,
)

MAX_ROWS = 30
CODE_FIRST = re.compile(r"\s*([0-9]{8})\b")
ROW_FIELDS = ("procedure", "quantity", "tooth", "region", "faces")
ITEM_KEY = re.compile(r"items\.([0-9]+)\.([a-z_]+)")
TOOTH_ROWS = ((18, 17, 16, 15, 14, 13, 12, 11, 21, 22, 23, 24, 25, 26, 27, 28),
              (48, 47, 46, 45, 44, 43, 42, 41, 31, 32, 33, 34, 35, 36, 37, 38),
              (55, 54, 53, 52, 51, 61, 62, 63, 64, 65),
              (85, 84, 83, 82, 81, 71, 72, 73, 74, 75))
"""The FDI chart as a dentist reads it: upper then lower arch, the patient's right first."""


def catalogue(s: Screen) -> list[dict[str, Any]]:
    """The whole procedure catalogue (a few dozen entries), for the datalist and the flags."""
    answer = s.api("GET", "/api/v1/procedures", query={"limit": 200})
    return answer.data["items"] if answer.ok else []


def demand_types(s: Screen) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(groups as (value, label), every type) from ``/demand-types``."""
    answer = s.api("GET", "/api/v1/demand-types")
    types = answer.data["items"] if answer.ok else []
    groups: dict[str, str] = {}
    for kind in types:
        groups.setdefault(kind["group"], kind["group_label"])
    return list(groups.items()), types


def rows_of(form: Any) -> list[dict[str, Any]]:
    """The procedure rows typed in the form (``items.N.*``), in order."""
    count = min(whole_number(form.get("rows")) or 1, MAX_ROWS)
    return [{"procedure": form.get(f"items.{n}.procedure", ""),
             "quantity": form.get(f"items.{n}.quantity", "1"),
             "tooth": form.get(f"items.{n}.tooth", ""),
             "region": form.get(f"items.{n}.region", ""),
             "faces": form.getlist(f"items.{n}.faces")} for n in range(count)]


def blank_row() -> dict[str, Any]:
    return {"procedure": "", "quantity": "1", "tooth": "", "region": "", "faces": []}


def procedure_code(s: Screen, typed: str) -> tuple[str, list[dict]]:
    """The code a row names: its leading 8 digits, else the one catalogue entry matching the
    text (``/procedures?q=``). Returns (code or the text as typed, the matches when several)."""
    typed = typed.strip()
    found = CODE_FIRST.match(typed)
    if found or not typed:
        return (found.group(1) if found else typed), []
    answer = s.api("GET", "/api/v1/procedures", query={"q": typed, "limit": 20})
    matches = answer.data["items"] if answer.ok else []
    if len(matches) == 1:
        return matches[0]["code"], []
    return typed, matches


def item_body(row: dict[str, Any], code: str) -> dict[str, Any]:
    """One row as the API's item: numbers as numbers where they are numbers (else as typed, so
    the API names the mistake beside the item)."""
    return {"procedure_code": code, "quantity": whole_number(row["quantity"], row["quantity"]),
            "tooth": whole_number(row["tooth"], row["tooth"] or None),
            "region": row["region"] or None, "faces": row["faces"]}


def row_view(row: dict[str, Any], known: dict[str, dict]) -> dict[str, Any]:
    """A row with what its procedure asks for (all three when the procedure is not known)."""
    code = CODE_FIRST.match(row["procedure"] or "")
    entry = known.get(code.group(1)) if code else None
    asks = {"tooth": True, "region": True, "faces": True} if entry is None else {
        "tooth": entry["requires_tooth"], "region": entry["requires_region"],
        "faces": entry["requires_faces"]}
    return {**row, "asks": asks, "entry": entry}


def request_body(s: Screen, rows: list[dict], attachment_ids: list[str],
                 draft: bool) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The API's body from the form, and the rows' own errors (a name matching several
    procedures) found while resolving them."""
    form = s.form
    errors: dict[str, list[str]] = {}
    items = []
    for n, row in enumerate(rows):
        if not row["procedure"].strip() and n > 0:
            continue
        code, matches = procedure_code(s, row["procedure"])
        if matches:
            errors[f"items.{n}.procedure"] = [s._(
                "Several procedures match; type the code: %(codes)s.",
                codes=", ".join(f"{m['code']} {m['name']}" for m in matches[:5]))]
        items.append(item_body(row, code))
    body = {"demand_group": form.get("demand_group", ""),
            "demand_type": form.get("demand_type", ""),
            "contact": {"name": form.get("contact.name", ""),
                        "phone": form.get("contact.phone", ""),
                        "email": form.get("contact.email", "")},
            "professional_document": form.get("professional_document", ""),
            "beneficiary": {"cpf": form.get("beneficiary.cpf") or None,
                            "card_number": form.get("beneficiary.card_number") or None},
            "observations": form.get("observations") or None,
            "items": items if any(i["procedure_code"] for i in items) else [],
            "attachment_ids": attachment_ids, "draft": draft}
    return body, errors


def item_errors(errors: dict[str, list[str]], positions: list[int]) -> dict[str, list[str]]:
    """The API's ``items.K.field`` errors (K: position among the items sent) renamed to the
    form's rows (``items.N.procedure`` for ``procedure_code``)."""
    renamed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        found = ITEM_KEY.fullmatch(key)
        if found and int(found.group(1)) < len(positions):
            name = "procedure" if found.group(2) == "procedure_code" else found.group(2)
            key = f"items.{positions[int(found.group(1))]}.{name}"
        elif key.startswith("beneficiary") and key not in ("beneficiary.cpf",
                                                           "beneficiary.card_number"):
            key = "beneficiary.cpf"
        elif key == "items":
            key = "items.0.procedure"
        renamed.setdefault(key, []).extend(messages)
    return renamed


def positions_sent(rows: list[dict]) -> list[int]:
    """Which form rows became items, in order (blank rows after the first are skipped)."""
    return [n for n, row in enumerate(rows) if n == 0 or row["procedure"].strip()]


# attachments
def kept_attachments(form: Any) -> list[dict[str, str]]:
    """Files already uploaded by an earlier submission of the form: ids and names."""
    ids, names = form.getlist("attachment_ids"), form.getlist("attachment_names")
    return [{"id": i, "filename": names[n] if n < len(names) else i}
            for n, i in enumerate(ids) if i]


def upload(s: Screen, file: FileStorage) -> Answer:
    """One file through ``POST /api/v1/uploads`` as the signed-in person (its size and type are
    judged there: 413, 415)."""
    from gateway.problems import localize

    if s.session is not None and s.session.access_expired:
        s._refresh()
    headers = {"Accept": "application/json", "Accept-Language": s.locale,
               "X-Correlation-Id": logs.correlation_id() or ""}
    if s.session is not None:
        headers["Authorization"] = f"Bearer {s.session.access_token}"
    builder = EnvironBuilder(path="/api/v1/uploads", method="POST", headers=headers,
                             data={"file": (file.stream, file.filename or "file",
                                            file.mimetype or "application/octet-stream")})
    try:
        request = Request(builder.get_environ())
        gateway = s.call.gateway
        answer = localize(gateway.api.dispatch(request, gateway, s.call.services, gateway.auth),
                          s.locale)
    finally:
        builder.close()
    raw = answer.get_data()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return Answer(answer.status_code, data)


def receive_files(s: Screen, field: str = "files") -> tuple[list[dict[str, str]], list[str]]:
    """Upload every file chosen in ``field``: (uploaded {id, filename}, error messages)."""
    done, problems = [], []
    for file in s.request.files.getlist(field):
        if not file or not file.filename:
            continue
        answer = upload(s, file)
        if answer.status == 201:
            done.append({"id": answer.data["id"], "filename": answer.data["filename"]})
        else:
            reason = (answer.data or {}).get("detail") or (answer.data or {}).get("title") or ""
            problems.append(s._("%(name)s was not attached: %(reason)s", name=file.filename,
                                reason=reason))
    return done, problems


def choices() -> dict[str, Any]:
    """The fixed choices of a procedure row."""
    return {"permanent": PERMANENT_TEETH, "deciduous": DECIDUOUS_TEETH, "faces": FACES,
            "regions": REGIONS, "chart": TOOTH_ROWS, "code_pattern": PROCEDURE_CODE.pattern}


def whole_number(text: Any, otherwise: Any = None) -> Any:
    """``text`` as a whole number when it is digits, else ``otherwise``."""
    text = (text or "").strip() if isinstance(text, str) else text
    return int(text) if isinstance(text, str) and text.isdigit() else otherwise
