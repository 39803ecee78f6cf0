"""The citizen's "Minhas solicitações" (seed 002): her requests with their status, and a
request's page: the answers, the status, the follow-ups with their files and a reply, the
meeting link ("Acessar") on its day, "Avaliar" (1–5 and a comment) once after the conclusion,
and the rating after."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_, operator_zone
from gateway.web.citizen_services import one
from gateway.web.files import CHOSEN, Uploads, upload_chosen
from gateway.web.forms import BODY, FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, screen
from ponte.contracts.attendance import CONCLUDED, IN_PROGRESS
from ponte.roles import CITIZEN, STAFF

REQUEST_STATUS_LABELS = {"submitted": N_("Submitted"), "in_analysis": N_("In analysis"),
                         "in_progress": N_("In progress"), "rejected": N_("Rejected"),
                         "concluded": N_("Concluded")}
RATING_STATUS_LABELS = {"pending": N_("Awaiting moderation"), "approved": N_("Published"),
                        "rejected": N_("Not published")}
SCORES = ("1", "2", "3", "4", "5")


def status_label(s: Screen, status: str) -> str:
    return s._(REQUEST_STATUS_LABELS[status]) if status in REQUEST_STATUS_LABELS else status


def _rating_label(s: Screen, rating: dict[str, Any] | None) -> str:
    label = RATING_STATUS_LABELS.get(rating["status"]) if rating else None
    return s._(label) if label else ""


def _path(request_id: str) -> str:
    return f"/api/v1/service-requests/{quote(request_id, safe='')}"


@screen("GET", "/my-requests", summary="Screen: the citizen's service requests (HTML)")
def my_requests(s: Screen) -> Response:
    answer = s.api("GET", "/api/v1/me/service-requests",
                   query={"cursor": s.request.args.get("cursor"), "limit": 50})
    if not answer.ok:
        return s.problem_page(answer)
    items = [{**item, "status_label": status_label(s, item["status"])}
             for item in answer.data["items"]]
    return s.render("my_requests.html", items=items, next_cursor=answer.data.get("next_cursor"))


def _today(meeting: dict[str, Any]) -> bool:
    """Whether the meeting is on today's local date (its link is offered on its day)."""
    zone = operator_zone()
    starts = datetime.fromisoformat(meeting["starts_at"].replace("Z", "+00:00"))
    return starts.astimezone(zone).date() == datetime.now(zone).date()


def _request_page(s: Screen, request_id: str, *, errors: dict | None = None,
                  values: dict | None = None, uploads: Uploads | None = None,
                  rating_errors: dict | None = None, status: int = 200) -> Response:
    found = one(s.api("GET", _path(request_id)))
    if not found.ok:  # not hers (404), or gone: the API's refusal, never the data
        return s.problem_page(found)
    request = found.data
    follow_ups = s.api("GET", _path(request_id) + "/follow-ups", query={"limit": 200})
    meetings = s.api("GET", _path(request_id) + "/meetings", query={"limit": 200})
    service = s.api("GET", f"/api/v1/services/{quote(request['service_id'], safe='')}")
    form = {f["name"]: f for f in (service.data or {}).get("form_fields") or []} \
        if service.ok else {}
    answers = [{"label": form[name]["label"] if name in form else name, "value": value,
                "type": form[name]["type"] if name in form else None}
               for name, value in (request.get("answers") or {}).items()]
    rating = request.get("rating")
    citizen = s.person().kind == CITIZEN  # the institution opens it too (its notifications)
    return s.render(
        "my_request.html", status=status, request=request, answers=answers,
        status_label=status_label(s, request["status"]),
        follow_ups=follow_ups.data["items"] if follow_ups.ok else [],
        meetings=[{**m, "today": _today(m)} for m in (meetings.data["items"]
                                                      if meetings.ok else [])],
        may_reply=citizen and request["status"] == IN_PROGRESS,
        may_rate=citizen and request["status"] == CONCLUDED and rating is None,
        rating_label=_rating_label(s, rating),
        sent=s.request.args.get("sent") == "1", scores=SCORES,
        errors=errors or {}, values=values or {}, files=uploads.files if uploads else [],
        rating_errors=rating_errors or {},
        labels={"message": s._("Your reply"), CHOSEN: s._("Files"),
                "score": s._("Score"), "comment": s._("Comment")})


@screen("GET", "/my-requests/{id}", summary="Screen: one of the citizen's requests (HTML)")
def my_request(s: Screen) -> Response:
    if s.person().kind == STAFF:  # a notification's link: the institution's screen of it
        return s.redirect(f"/institution/requests/{quote(s.call.params['id'], safe='')}")
    return _request_page(s, s.call.params["id"])


@screen("POST", "/my-requests/{id}/follow-ups", summary="Screen: the citizen's reply")
def reply(s: Screen) -> Response:
    request_id = s.call.params["id"]
    uploads = upload_chosen(s)
    if uploads.errors:
        return _request_page(s, request_id, errors=uploads.errors, values=kept(s.form),
                             uploads=uploads, status=422)
    answer = s.api("POST", _path(request_id) + "/follow-ups",
                   {"message": s.form.get("message", ""), "attachment_ids": uploads.ids})
    if answer.ok:
        return s.redirect(f"/my-requests/{quote(request_id, safe='')}#follow-ups")
    if answer.status in FORM_ERROR_STATUSES and answer.status != 409:
        errors = form_errors(answer, {"attachment_ids": CHOSEN},
                             known={"message", CHOSEN, BODY})
        return _request_page(s, request_id, errors=errors, values=kept(s.form),
                             uploads=uploads, status=answer.status)
    return s.problem_page(answer)


@screen("POST", "/my-requests/{id}/rating", summary="Screen: the citizen rates a request")
def rate(s: Screen) -> Response:
    request_id = s.call.params["id"]
    score = s.form.get("score", "")
    body: dict[str, Any] = {"score": int(score) if score in SCORES else None,
                            "comment": s.form.get("comment") or None}
    answer = s.api("POST", _path(request_id) + "/rating", body)
    if answer.ok:
        return s.redirect(f"/my-requests/{quote(request_id, safe='')}#rating")
    if answer.status in (400, 422):
        errors = form_errors(answer, known={"score", "comment", BODY})
        return _request_page(s, request_id, rating_errors=errors, values=kept(s.form),
                             status=answer.status)
    return s.problem_page(answer)
