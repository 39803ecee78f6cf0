"""Appointments (seed 003): a citizen books a time at a provider (``/providers/{id}/book``,
reached by "Agendar" on the provider's page), sees and cancels her bookings ("Agendamentos");
the provider side (``authorizations``) sees its appointments by period with the patient's
files, and cancels one. Times are typed and shown in the operator's local time; the API gets
UTC ISO instants."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_, operator_zone
from gateway.web.citizen_services import one
from gateway.web.client import Answer
from gateway.web.files import CHOSEN, Uploads, upload_chosen
from gateway.web.forms import BODY, FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, safe_next, screen
from ponte.contracts.attendance import BOOKED
from ponte.roles import CITIZEN

STATUS_LABELS = {"booked": N_("Booked"), "cancelled": N_("Cancelled")}
PERIOD_DAYS = 30  # the provider's list shows today and the next 30 days unless asked otherwise


def starts_at(day: str, hour: str) -> str | None:
    """The local day and time typed, as the UTC instant the API takes (``None`` when either
    is missing or not a day or time: the API then names ``starts_at``)."""
    try:
        local = datetime.combine(date.fromisoformat(day.strip()),
                                 time.fromisoformat(hour.strip()), operator_zone())
    except ValueError:
        return None
    return local.astimezone(UTC).isoformat().replace("+00:00", "Z")


def status_label(s: Screen, status: str) -> str:
    return s._(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def _labelled(s: Screen, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, "status_label": status_label(s, item["status"]),
             "may_cancel": item["status"] == BOOKED} for item in items]


# the citizen
def _provider(s: Screen, provider_id: str) -> Answer:
    return one(s.api("GET", f"/api/v1/providers/{quote(provider_id, safe='')}"))


def _book_form(s: Screen, provider: dict[str, Any], *, errors: dict | None = None,
               values: dict | None = None, uploads: Uploads | None = None,
               status: int = 200) -> Response:
    labels = {"starts_at": s._("Date and time"), "notes": s._("Notes"), CHOSEN: s._("Files")}
    return s.render("book.html", status=status, provider=provider, errors=errors or {},
                    values=values or {}, files=uploads.files if uploads else [],
                    labels=labels, zone=str(operator_zone()))


@screen("GET", "/providers/{id}/book", summary="Screen: book an appointment (HTML)")
def book(s: Screen) -> Response:
    found = _provider(s, s.call.params["id"])
    if not found.ok:
        return s.problem_page(found)
    if s.person().kind != CITIZEN:  # only citizens book: not offered to others
        return s.problem_page(Answer(403, None))
    return _book_form(s, found.data)


@screen("POST", "/providers/{id}/book", summary="Screen: send a booking")
def book_posted(s: Screen) -> Response:
    found = _provider(s, s.call.params["id"])
    if not found.ok:
        return s.problem_page(found)
    uploads = upload_chosen(s)
    if uploads.errors:
        return _book_form(s, found.data, errors=uploads.errors, values=kept(s.form),
                          uploads=uploads, status=422)
    body: dict[str, Any] = {"notes": s.form.get("notes", "").strip() or None,
                            "attachment_ids": uploads.ids}
    when = starts_at(s.form.get("date", ""), s.form.get("time", ""))
    if when is not None:
        body["starts_at"] = when
    answer = s.api("POST", f"/api/v1/providers/{quote(found.data['id'], safe='')}/appointments",
                   body, once=True)
    if answer.status == 201:
        return s.redirect(f"/appointments/{quote(answer.data['id'], safe='')}?booked=1")
    if answer.status in FORM_ERROR_STATUSES:
        errors = form_errors(answer, {"attachment_ids": CHOSEN},
                             known={"starts_at", "notes", CHOSEN, BODY})
        return _book_form(s, found.data, errors=errors, values=kept(s.form), uploads=uploads,
                          status=answer.status)
    return s.problem_page(answer)


@screen("GET", "/my-appointments", summary="Screen: the citizen's appointments (HTML)")
def my_appointments(s: Screen) -> Response:
    answer = s.api("GET", "/api/v1/me/appointments",
                   query={"cursor": s.request.args.get("cursor"), "limit": 50})
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("my_appointments.html", items=_labelled(s, answer.data["items"]),
                    next_cursor=answer.data.get("next_cursor"))


# either side
@screen("GET", "/appointments/{id}", summary="Screen: one appointment, either side (HTML)")
def appointment(s: Screen) -> Response:
    answer = one(s.api("GET",
                       f"/api/v1/appointments/{quote(s.call.params['id'], safe='')}"))
    if not answer.ok:
        return s.problem_page(answer)
    [item] = _labelled(s, [answer.data])
    back = "/my-appointments" if s.person().kind == CITIZEN else "/appointments"
    return s.render("appointment.html", item=item, back=back,
                    booked=s.request.args.get("booked") == "1")


@screen("POST", "/appointments/{id}/cancel", summary="Screen: cancel an appointment")
def cancel(s: Screen) -> Response:
    appointment_id = s.call.params["id"]
    answer = one(s.api("POST",
                       f"/api/v1/appointments/{quote(appointment_id, safe='')}/cancel"))
    if not answer.ok:
        return s.problem_page(answer)
    return s.redirect(safe_next(s.form.get("next")
                                or f"/appointments/{quote(appointment_id, safe='')}"))


# the provider side
@screen("GET", "/appointments", summary="Screen: the provider's appointments by period (HTML)")
def provider_appointments(s: Screen) -> Response:
    provider_id = s.person().provider_id
    if provider_id is None:
        return s.problem_page(Answer(403, None))
    today = datetime.now(operator_zone()).date()
    first = s.request.args.get("from") or today.isoformat()
    last = s.request.args.get("to") or (today + timedelta(days=PERIOD_DAYS)).isoformat()
    answer = s.api("GET", f"/api/v1/providers/{quote(provider_id, safe='')}/appointments",
                   query={"from": first, "to": last, "limit": 200})
    values = {"from": first, "to": last}
    if answer.status == 422:  # a period the API refuses: said beside its dates
        errors = form_errors(answer, known={"from", "to", BODY})
        return s.render("appointments.html", status=422, items=[], values=values,
                        errors=errors, here_query=s.request.full_path.rstrip("?"))
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("appointments.html", items=_labelled(s, answer.data["items"]),
                    values=values, errors={}, here_query=s.request.full_path.rstrip("?"))
