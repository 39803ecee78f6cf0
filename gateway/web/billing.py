"""Payments and inquiries on screen (seed 003): the provider side's "Pagamentos" (invoice,
amount paid, withheld, a period filter) and "Fale com a operadora" (threads with the two
subjects); the operator registers a payment (money typed in the person's locale, sent as an
exact decimal string) and answers inquiries."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from babel.numbers import NumberFormatError, parse_decimal
from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, screen
from ponte.contracts.authorizations import INQUIRY_STATUSES, INQUIRY_SUBJECTS
from ponte.roles import STAFF

SUBJECT_LABELS = {"appointments_information": N_("Appointments information"),
                  "authorizations_payments": N_("Authorizations and payments")}
INQUIRY_STATUS_LABELS = {"open": N_("Open"), "answered": N_("Answered")}
PAYMENT_LABELS = {"provider_id": N_("Provider"), "invoice.number": N_("Invoice number"),
                  "invoice.issued_on": N_("Invoice date"), "invoice.amount": N_("Invoice amount"),
                  "amount_paid": N_("Amount paid"), "paid_on": N_("Payment date"),
                  "request_id": N_("Authorization request")}


def money_text(s: Screen, typed: str) -> str:
    """Money typed in the person's locale ("1.234,56" in pt-BR) as the API's exact decimal
    string ("1234.56"); what cannot be read goes as typed, so the API names the mistake."""
    typed = (typed or "").strip().replace("R$", "").replace("\xa0", " ").strip()
    if not typed:
        return ""
    try:
        amount = parse_decimal(typed, locale=s.page.translator.babel_locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        return typed
    if amount != amount.quantize(Decimal("0.01")) or amount < 0:
        return typed
    return f"{amount:.2f}"


def _period(s: Screen) -> tuple[date | None, date | None]:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(s.request.args.get(name) or "")
        except ValueError:
            return None
    return day("from"), day("to")


# -- payments --------------------------------------------------------------------------------

@screen("GET", "/payments", summary="Screen: payments (HTML)")
def payments(s: Screen) -> Response:
    staff = s.person().kind == STAFF
    provider_id = (s.request.args.get("provider_id") or None) if staff else s.person().provider_id
    answer = s.api("GET", "/api/v1/payments", query={
        "provider_id": provider_id, "cursor": s.request.args.get("cursor"), "limit": 100})
    if not answer.ok:
        return s.problem_page(answer)
    start, end = _period(s)
    rows = [p for p in answer.data["items"]
            if (start is None or p["paid_on"] >= start.isoformat())
            and (end is None or p["paid_on"] <= end.isoformat())]
    return s.render("billing/payments.html", rows=rows, staff=staff, provider_id=provider_id or "",
                    start=start.isoformat() if start else "", end=end.isoformat() if end else "",
                    next_cursor=answer.data.get("next_cursor"))


def _payment_form(s: Screen, *, values: dict | None = None, errors: dict | None = None,
                  status: int = 200) -> Response:
    labels = {k: s._(v) for k, v in PAYMENT_LABELS.items()}
    found = s.api("GET", "/api/v1/providers", query={"limit": 100})
    providers = [(p["id"], p["legal_name"]) for p in found.data["items"]] if found.ok else []
    return s.render("billing/payment_new.html", values=values or {}, errors=errors or {},
                    labels=labels, providers=providers, status=status)


@screen("GET", "/payments/new", summary="Screen: register a payment (HTML)")
def payment_new(s: Screen) -> Response:
    return _payment_form(s, values={"provider_id": s.request.args.get("provider_id", "")})


@screen("POST", "/payments/new", summary="Screen: register a payment")
def payment_posted(s: Screen) -> Response:
    form = s.form
    body = {"provider_id": form.get("provider_id", "").strip(),
            "request_id": form.get("request_id", "").strip() or None,
            "invoice": {"number": form.get("invoice.number", ""),
                        "issued_on": form.get("invoice.issued_on") or None,
                        "amount": money_text(s, form.get("invoice.amount", ""))},
            "amount_paid": money_text(s, form.get("amount_paid", "")),
            "paid_on": form.get("paid_on") or None}
    answer = s.api("POST", "/api/v1/payments", body, once=True)
    if answer.ok:
        return s.redirect(f"/payments?provider_id={quote(body['provider_id'], safe='')}")
    if answer.status in FORM_ERROR_STATUSES or answer.status == 404:
        errors = form_errors(answer, known=set(PAYMENT_LABELS) | {"_body"})
        return _payment_form(s, values=kept(form), errors=errors,
                             status=422 if answer.status == 404 else answer.status)
    return s.problem_page(answer)


# -- inquiries -------------------------------------------------------------------------------

def _words(s: Screen) -> dict[str, Any]:
    return {"subject_labels": {k: s._(v) for k, v in SUBJECT_LABELS.items()},
            "inquiry_status_labels": {k: s._(v) for k, v in INQUIRY_STATUS_LABELS.items()}}


@screen("GET", "/inquiries", summary="Screen: inquiries to the operator (HTML)")
def inquiries(s: Screen) -> Response:
    person = s.person()
    answer = s.api("GET", "/api/v1/inquiries", query={
        "provider_id": None if person.kind == STAFF else person.provider_id,
        "status": s.request.args.get("status") if s.request.args.get("status")
        in INQUIRY_STATUSES else None,
        "cursor": s.request.args.get("cursor"), "limit": 50})
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("billing/inquiries.html", rows=answer.data["items"],
                    staff=s.person().kind == STAFF, next_cursor=answer.data.get("next_cursor"),
                    **_words(s))


def _inquiry_form(s: Screen, *, values: dict | None = None, errors: dict | None = None,
                  status: int = 200) -> Response:
    return s.render("billing/inquiry_new.html", values=values or {}, errors=errors or {},
                    subjects=INQUIRY_SUBJECTS, status=status,
                    labels={"subject": s._("Subject"), "message": s._("Message"),
                            "request_id": s._("Authorization request")}, **_words(s))


@screen("GET", "/inquiries/new", summary="Screen: write to the operator (HTML)")
def inquiry_new(s: Screen) -> Response:
    return _inquiry_form(s, values={"request_id": s.request.args.get("request_id", ""),
                                    "subject": s.request.args.get("subject", "")})


@screen("POST", "/inquiries/new", summary="Screen: send a new inquiry")
def inquiry_posted(s: Screen) -> Response:
    body = {"subject": s.form.get("subject", ""), "message": s.form.get("message", ""),
            "request_id": s.form.get("request_id", "").strip() or None,
            "provider_id": s.person().provider_id}
    answer = s.api("POST", "/api/v1/inquiries", body, once=True)
    if answer.ok:
        return s.redirect(f"/inquiries/{quote(answer.data['id'], safe='')}")
    if answer.status in FORM_ERROR_STATUSES or answer.status == 404:
        return _inquiry_form(s, values=kept(s.form), errors=form_errors(answer),
                             status=422 if answer.status == 404 else answer.status)
    return s.problem_page(answer)


def _thread(s: Screen, *, values: dict | None = None, errors: dict | None = None,
            status: int = 200) -> Response:
    answer = s.api("GET", f"/api/v1/inquiries/{quote(s.call.params['id'], safe='')}")
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("billing/inquiry.html", inquiry=answer.data, values=values or {},
                    errors=errors or {}, status=status, **_words(s))


@screen("GET", "/inquiries/{id}", summary="Screen: an inquiry's thread (HTML)")
def inquiry(s: Screen) -> Response:
    return _thread(s)


@screen("POST", "/inquiries/{id}/messages", summary="Screen: reply in an inquiry's thread")
def reply(s: Screen) -> Response:
    inquiry_id = s.call.params["id"]
    answer = s.api("POST", f"/api/v1/inquiries/{quote(inquiry_id, safe='')}/messages",
                   {"message": s.form.get("message", "")})
    if answer.ok:
        return s.redirect(f"/inquiries/{quote(inquiry_id, safe='')}")
    if answer.status in FORM_ERROR_STATUSES:
        return _thread(s, values=kept(s.form), errors=form_errors(answer),
                       status=answer.status)
    return s.problem_page(answer)
