"""Authorization requests on screen (seed 001): the provider side's "Solicitações de
autorização" (list, filters, CSV), "Nova solicitação", a request's page with its actions,
"Verificar código"; the auditor's "Fila de auditoria" and decision. Every rule is the API's:
an action is offered only when the request's status (as the API returns it) allows it, and a
refusal forced through the address is the API's own 403/404/409 page."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Response

from gateway.authorizations.routes import _request_rows
from gateway.i18n import N_
from gateway.rendering import csv_text
from gateway.web import request_form as rf
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, screen
from ponte.contracts.authorizations import (
    AWAITING_AUDIT,
    DENIAL_REASONS,
    DENIED,
    DRAFT,
    STATUSES,
    UNDECIDED,
)
from ponte.roles import AUDITOR, STAFF

REQUESTS = "/api/v1/authorization-requests"
EXPORT_PAGES = 50  # pages of 200 at most in one CSV

STATUS_LABELS = {"draft": N_("Draft"), "awaiting_audit": N_("Awaiting audit"),
                 "authorized": N_("Authorized"),
                 "partially_authorized": N_("Partially authorized"), "denied": N_("Denied"),
                 "cancelled": N_("Cancelled by the provider"), "pending": N_("Pending")}
REASON_LABELS = {"registration": N_("Registration status"), "coverage": N_("Not covered"),
                 "waiting_period": N_("Waiting period"), "warranty": N_("Under warranty"),
                 "technical": N_("Technical grounds"), "documentation": N_("Documentation")}
KIND_LABELS = {"submission": N_("Submission"), "message": N_("Message"),
               "document": N_("Document"), "decision": N_("Decision"), "appeal": N_("Appeal"),
               "cancellation": N_("Cancellation")}
SIDE_LABELS = {"provider": N_("Provider"), "operator": N_("Operator")}
CODE_REASON_LABELS = {"cancelled": N_("The code was cancelled."),
                      "expired": N_("The code has expired."),
                      "beneficiary_mismatch": N_("The code belongs to another beneficiary."),
                      "professional_mismatch": N_("The code belongs to another professional."),
                      "procedure_not_authorized": N_("This procedure is not authorized by the "
                                                     "code.")}
LABELS = {"demand_group": N_("Demand group"), "demand_type": N_("Demand"),
          "contact.name": N_("Contact name"), "contact.phone": N_("Contact phone"),
          "contact.email": N_("Contact e-mail"),
          "professional_document": N_("CPF/CNPJ of the requesting professional"),
          "beneficiary.cpf": N_("Beneficiary's CPF"),
          "beneficiary.card_number": N_("Member card number"),
          "observations": N_("Observations"), "files": N_("Attach file")}


def _demand_labels(s: Screen) -> dict[str, str]:
    """Demand groups and types by their codes, as ``/demand-types`` names them."""
    groups, types = rf.demand_types(s)
    return {**dict(groups), **{t["type"]: t["label"] for t in types}}


def _words(s: Screen) -> dict[str, Any]:
    """The labels every authorization template uses, in the person's language."""
    return {"demand_labels": _demand_labels(s),
            "status_labels": {k: s._(v) for k, v in STATUS_LABELS.items()},
            "reason_labels": {k: s._(v) for k, v in REASON_LABELS.items()},
            "kind_labels": {k: s._(v) for k, v in KIND_LABELS.items()},
            "side_labels": {k: s._(v) for k, v in SIDE_LABELS.items()}}


def _labels(s: Screen, rows: int) -> dict[str, str]:
    labels = {k: s._(v) for k, v in LABELS.items()}
    for n in range(rows):
        for name, text in (("procedure", N_("Procedure")), ("quantity", N_("Quantity")),
                           ("tooth", N_("Tooth")), ("region", N_("Region")),
                           ("faces", N_("Faces"))):
            labels[f"items.{n}.{name}"] = f"{s._(text)} {n + 1}"
    return labels


# -- the list --------------------------------------------------------------------------------

def acting_provider(s: Screen) -> str | None:
    """The provider the provider side acts for (the API needs it named when a secretary acts
    for several); staff name none."""
    person = s.person()
    return None if person.kind == STAFF else person.provider_id


def _filters(s: Screen) -> dict[str, Any]:
    args = s.request.args
    return {"number": args.get("number") or None, "beneficiary": args.get("beneficiary") or None,
            "status": args.get("status") or None, "date": args.get("date") or None}


@screen("GET", "/authorizations", summary="Screen: authorization requests (HTML)")
def requests_list(s: Screen) -> Response:
    filters = _filters(s)
    answer = s.api("GET", REQUESTS, query={**filters, "cursor": s.request.args.get("cursor"),
                                            "limit": 25, "provider_id": acting_provider(s)})
    errors: dict[str, list[str]] = {}
    if answer.status == 422:
        errors = form_errors(answer)
        rows, next_cursor = [], None
    elif not answer.ok:
        return s.problem_page(answer)
    else:
        rows, next_cursor = answer.data["items"], answer.data.get("next_cursor")
    query = {k: v for k, v in filters.items() if v}
    return s.render("authorizations/list.html", rows=rows, filters=filters, errors=errors,
                    values={k: v or "" for k, v in filters.items()},
                    statuses=STATUSES, next_cursor=next_cursor,
                    export=f"/authorizations/export.csv?{urlencode(query)}",
                    more=urlencode({**query, "cursor": next_cursor or ""}), **_words(s))


@screen("GET", "/authorizations/export.csv", summary="Screen: the filtered requests as CSV")
def requests_csv(s: Screen) -> Response:
    """The API's own CSV rows of the filtered list, every page."""
    filters, items, cursor = _filters(s), [], None
    for _page in range(EXPORT_PAGES):
        answer = s.api("GET", REQUESTS, query={**filters, "cursor": cursor, "limit": 200,
                                                "provider_id": acting_provider(s)})
        if answer.status == 422:  # the list shows what is wrong with the filters
            return s.redirect(f"/authorizations?{s.request.query_string.decode()}")
        if not answer.ok:
            return s.problem_page(answer)
        items.extend(answer.data["items"])
        cursor = answer.data.get("next_cursor")
        if not cursor:
            break
    header, rows = _request_rows({"items": items})
    return Response(csv_text(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="solicitacoes.csv"'})


# -- a new request ---------------------------------------------------------------------------

def _new_page(s: Screen, *, values: dict[str, Any], rows: list[dict], known: dict[str, dict],
              attachments: list[dict], errors: dict | None = None, status: int = 200) -> Response:
    groups, types = rf.demand_types(s)
    return s.render("authorizations/new.html", status=status, values=values,
                    rows=[rf.row_view(row, known) for row in rows], attachments=attachments,
                    errors=errors or {}, labels=_labels(s, len(rows)), groups=groups,
                    types=types, catalogue=list(known.values()), **rf.choices())


@screen("GET", "/authorizations/new", summary="Screen: a new authorization request (HTML)")
def new_request(s: Screen) -> Response:
    known = {p["code"]: p for p in rf.catalogue(s)}
    return _new_page(s, values={}, rows=[rf.blank_row()], known=known, attachments=[])


@screen("POST", "/authorizations/new", summary="Screen: add a row, attach, save or send")
def new_request_posted(s: Screen) -> Response:
    """One form, several buttons (``action``): "Adicionar procedimento" (one more row),
    remove a row, "Anexar arquivo", "Salvar rascunho" and "Enviar". Files chosen are uploaded
    first, whatever the button, and kept as already-uploaded ids."""
    known = {p["code"]: p for p in rf.catalogue(s)}
    rows = rf.rows_of(s.form)
    action = s.form.get("action", "send")
    attachments = rf.kept_attachments(s.form)
    uploaded, problems = rf.receive_files(s)
    attachments += uploaded
    values = kept(s.form)
    errors: dict[str, list[str]] = {"files": problems} if problems else {}
    if action == "add_row" and len(rows) < rf.MAX_ROWS:
        rows.append(rf.blank_row())
    elif action.startswith("remove:"):
        index = rf.whole_number(action.split(":", 1)[1])
        if index is not None and index < len(rows) and len(rows) > 1:
            rows.pop(index)
    elif action in ("draft", "send"):
        body, row_errors = rf.request_body(s, rows, [a["id"] for a in attachments],
                                           draft=action == "draft")
        if not row_errors and not problems:
            answer = s.api("POST", REQUESTS, {**body, "provider_id": acting_provider(s)},
                           once=True)
            if answer.ok:
                return s.redirect(f"/authorizations/{quote(answer.data['id'], safe='')}"
                                  + ("?sent=1" if action == "send" else "?saved=1"))
            if answer.status not in FORM_ERROR_STATUSES:
                return s.problem_page(answer)
            errors.update(rf.item_errors(form_errors(answer), rf.positions_sent(rows)))
        errors.update(row_errors)
        return _new_page(s, values=values, rows=rows, known=known, attachments=attachments,
                         errors=errors, status=422)
    return _new_page(s, values=values, rows=rows, known=known, attachments=attachments,
                     errors=errors, status=422 if errors else 200)


@screen("GET", "/authorizations/procedures",
        summary="Screen: procedures matching a code or name (JSON, for the page script)")
def procedure_search(s: Screen) -> Response:
    import json
    answer = s.api("GET", "/api/v1/procedures",
                   query={"q": s.request.args.get("q") or None, "limit": 20})
    items = answer.data["items"] if answer.ok else []
    return Response(json.dumps({"items": items}), mimetype="application/json",
                    status=200 if answer.ok else answer.status)


# -- a request's page ------------------------------------------------------------------------

def _request(s: Screen, request_id: str) -> dict[str, Any]:
    from gateway.web.screen import ApiFailure
    answer = s.api("GET", f"{REQUESTS}/{quote(request_id, safe='')}")
    if not answer.ok:
        raise ApiFailure(answer)
    return answer.data


def _request_page(s: Screen, request_id: str, *, errors: dict | None = None,
                  values: dict | None = None, status: int = 200, open_form: str = "",
                  attachments: list[dict] | None = None, rows: list[dict] | None = None
                  ) -> Response:
    request = _request(s, request_id)
    timeline = s.api("GET", f"{REQUESTS}/{quote(request_id, safe='')}/interactions")
    person = s.person()
    auditor = person.kind == STAFF and (AUDITOR in person.roles or "admin" in person.roles)
    provider_side = person.kind != STAFF
    known = {p["code"]: p for p in rf.catalogue(s)}
    names = {code: entry["name"] for code, entry in known.items()}
    state = request["status"]
    offers = {"edit": provider_side and state == DRAFT,
              "documents": state not in (DRAFT, "cancelled"),
              "appeal": provider_side and state == DENIED,
              "cancel": provider_side and state in UNDECIDED,
              "decide": auditor and state == AWAITING_AUDIT,
              "message": not provider_side and state not in (DRAFT, "cancelled")}
    new_rows = rows or [rf.blank_row()]
    return s.render("authorizations/request.html", status=status, request=request,
                    timeline=timeline.data["items"] if timeline.ok else [], offers=offers,
                    names=names, errors=errors or {}, values=values or {},
                    open_form=open_form, attachments=attachments or [],
                    rows=[rf.row_view(r, known) for r in new_rows], catalogue=list(known.values()),
                    labels=_labels(s, 1), reasons=DENIAL_REASONS, auditor=auditor,
                    sent=s.request.args.get("sent") == "1",
                    saved=s.request.args.get("saved") == "1", **rf.choices(), **_words(s))


@screen("GET", "/authorizations/{id}", summary="Screen: one authorization request (HTML)")
def request_page(s: Screen) -> Response:
    return _request_page(s, s.call.params["id"])


def _act(s: Screen, path: str, body: dict | None, form: str,
         fields: dict[str, str] | None = None, method: str = "POST",
         attachments: list[dict] | None = None) -> Response:
    """Send one action of a request's page; back to the page, or the page with the errors."""
    request_id = s.call.params["id"]
    answer = s.api(method, f"{REQUESTS}/{quote(request_id, safe='')}{path}", body)
    if answer.ok:
        return s.redirect(f"/authorizations/{quote(request_id, safe='')}")
    if answer.status in (400, 422):
        return _request_page(s, request_id, errors=form_errors(answer, fields or {}),
                             values=kept(s.form), status=answer.status, open_form=form,
                             attachments=attachments)
    return s.problem_page(answer)


def _with_files(s: Screen, form: str) -> tuple[list[dict], Response | None]:
    attachments = rf.kept_attachments(s.form)
    uploaded, problems = rf.receive_files(s)
    attachments += uploaded
    if problems:
        return attachments, _request_page(s, s.call.params["id"], errors={"files": problems},
                                          values=kept(s.form), status=422, open_form=form,
                                          attachments=attachments)
    return attachments, None


@screen("POST", "/authorizations/{id}/documents", summary="Screen: send documents or a message")
def send_documents(s: Screen) -> Response:
    form = s.form.get("form", "documents")
    attachments, refused = _with_files(s, form)
    if refused:
        return refused
    kind = "document" if attachments else "message"
    return _act(s, "/interactions", {"message": s.form.get("message", ""), "kind": kind,
                                     "attachment_ids": [a["id"] for a in attachments]},
                form, {"message": f"{form}.message"}, attachments=attachments)


@screen("POST", "/authorizations/{id}/appeal", summary="Screen: appeal a denial")
def appeal(s: Screen) -> Response:
    attachments, refused = _with_files(s, "appeal")
    if refused:
        return refused
    return _act(s, "/appeal", {"justification": s.form.get("justification", ""),
                               "attachment_ids": [a["id"] for a in attachments]},
                "appeal", {"justification": "appeal.justification"}, attachments=attachments)


@screen("POST", "/authorizations/{id}/cancel", summary="Screen: cancel a request")
def cancel(s: Screen) -> Response:
    return _act(s, "/cancel", {"reason": s.form.get("reason", "")}, "cancel",
                {"reason": "cancel.reason"})


@screen("POST", "/authorizations/{id}/submit", summary="Screen: send a draft")
def submit(s: Screen) -> Response:
    request_id = s.call.params["id"]
    answer = s.api("POST", f"{REQUESTS}/{quote(request_id, safe='')}/submit", once=True)
    if answer.ok:
        return s.redirect(f"/authorizations/{quote(request_id, safe='')}?sent=1")
    if answer.status in FORM_ERROR_STATUSES:
        return _request_page(s, request_id, errors=form_errors(answer, {"items": "_body"}),
                             status=answer.status)
    return s.problem_page(answer)


@screen("POST", "/authorizations/{id}/items", summary="Screen: add a procedure to a draft")
def add_item(s: Screen) -> Response:
    request_id = s.call.params["id"]
    [row] = rf.rows_of(s.form)[:1] or [rf.blank_row()]
    code, matches = rf.procedure_code(s, row["procedure"])
    if matches:
        errors = {"items.0.procedure": [s._("Several procedures match; type the code: "
                                            "%(codes)s.", codes=", ".join(
                                                f"{m['code']} {m['name']}" for m in matches[:5]))]}
        return _request_page(s, request_id, errors=errors, values=kept(s.form), status=422,
                             open_form="item", rows=[row])
    answer = s.api("POST", f"{REQUESTS}/{quote(request_id, safe='')}/items",
                   rf.item_body(row, code))
    if answer.ok:
        return s.redirect(f"/authorizations/{quote(request_id, safe='')}")
    if answer.status in (400, 422):
        errors = rf.item_errors({f"items.0.{k}": v for k, v in form_errors(answer).items()},
                                [0])
        return _request_page(s, request_id, errors=errors, values=kept(s.form),
                             status=answer.status, open_form="item", rows=[row])
    return s.problem_page(answer)


@screen("POST", "/authorizations/{id}/items/{item_id}/remove",
        summary="Screen: remove a procedure from a draft")
def remove_item(s: Screen) -> Response:
    request_id, item_id = s.call.params["id"], s.call.params["item_id"]
    answer = s.api("DELETE", f"{REQUESTS}/{quote(request_id, safe='')}/items/"
                             f"{quote(item_id, safe='')}")
    if not answer.ok:
        return s.problem_page(answer)
    return s.redirect(f"/authorizations/{quote(request_id, safe='')}")


@screen("POST", "/authorizations/{id}/decision", summary="Screen: the auditor's decision")
def decide(s: Screen) -> Response:
    """"Autorizar" or "Negar" per item (a denied item with its coded reason); the outcome the
    API takes follows from the choices: all, none or some authorized."""
    request = _request(s, s.call.params["id"])
    choices = {item["id"]: s.form.get(f"decision_{item['id']}") for item in request["items"]}
    missing = [item_id for item_id, choice in choices.items() if choice not in ("yes", "no")]
    if missing:
        errors = {f"decision.{item_id}": [s._("Choose Authorize or Deny.")] for item_id in missing}
        return _request_page(s, request["id"], errors=errors, values=kept(s.form), status=422,
                             open_form="decision")
    granted = [choice == "yes" for choice in choices.values()]
    outcome = ("authorized" if all(granted) else "denied" if not any(granted)
               else "partially_authorized")
    items = [{"item_id": item_id, "authorized": choice == "yes",
              "denial_reason": None if choice == "yes"
              else (s.form.get(f"reason_{item_id}") or None)}
             for item_id, choice in choices.items()]
    fields = {"justification": "decision.justification", "denial_reason": "_body",
              "items": "_body"}
    return _act(s, "/decision", {"outcome": outcome, "items": items,
                                 "justification": s.form.get("justification") or None},
                "decision", fields)


# -- the audit queue -------------------------------------------------------------------------

@screen("GET", "/audit-queue", summary="Screen: the auditor's queue (HTML)")
def audit_queue(s: Screen) -> Response:
    answer = s.api("GET", "/api/v1/audit-queue",
                   query={"cursor": s.request.args.get("cursor"), "limit": 50})
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("authorizations/queue.html", rows=answer.data["items"],
                    next_cursor=answer.data.get("next_cursor"), **_words(s))


# -- checking a code -------------------------------------------------------------------------

@screen("GET", "/authorization-codes", summary="Screen: check an authorization code (HTML)")
def check_code(s: Screen) -> Response:
    args = s.request.args
    code = (args.get("code") or "").strip()
    values = {k: args.get(k, "") for k in ("code", "beneficiary", "professional_document",
                                           "procedure_code")}
    result, errors = None, {}
    if code:
        answer = s.api("GET", f"/api/v1/authorization-codes/{quote(code, safe='')}",
                       query={k: values[k] or None for k in values if k != "code"})
        if answer.ok:
            result = answer.data
        elif answer.status == 404:
            errors = {"code": [s._("No authorization has this code.")]}
        elif answer.status in FORM_ERROR_STATUSES:
            errors = form_errors(answer)
        else:
            return s.problem_page(answer)
    reason = CODE_REASON_LABELS.get((result or {}).get("reason") or "")
    return s.render("authorizations/code.html", values=values, result=result, errors=errors,
                    reason=s._(reason) if reason else "",
                    status=404 if errors.get("code") else 200)
