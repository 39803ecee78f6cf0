"""Attendance: institutions and their managers, the service catalogue, attendant access, citizens'
service requests through analysis, approval, checklist, follow-ups, meetings, conclusion and
rating, the daily agenda (also CSV), and appointments at providers. Each route makes one call to
the attendance service, which decides who may see and change what from its own data (managers,
attendants, owners); provider-scoped paths are checked here with the one permission rule."""
from __future__ import annotations

from typing import Any

from gateway.api import Api, Call, PageQuery
from gateway.attendance import schemas as s
from ponte.contracts.forms import FORM_ERRORS
from ponte.errors import Unauthenticated
from ponte.roles import ADMIN, AUTHORIZATIONS, CITIZEN, MANAGER, PROVIDER, SECRETARY, SERVANT, STAFF

api = Api()
TAG = "attendance"
STAFF_ONLY = (STAFF,)
CITIZENS = (CITIZEN,)
PEOPLE = (CITIZEN, STAFF)
PROVIDER_SIDE = (PROVIDER, SECRETARY)
EITHER_SIDE = (CITIZEN, STAFF, PROVIDER, SECRETARY)
AGENDA_COLUMNS = ["date", "time", "kind", "subject", "protocol", "citizen_name", "starts_at"]
"""Local date and time first, as colleagues read them; ``starts_at`` (UTC) kept last."""


def _page(call: Call) -> dict:
    return {"limit": call.query["limit"], "cursor": call.query["cursor"]}


def _id(call: Call) -> str:
    return call.params["id"]


def _form_errors(call: Call) -> dict:
    """What the edge refused in the body (``forward_errors`` routes), for the service to
    answer with its own rules' errors in one 422; nothing when the body was valid."""
    found = call.body.get(FORM_ERRORS)
    return {"form_errors": found} if found else {}


def _instant(call: Call, name: str) -> str | None:
    """A date-time of the body as ISO-8601, or None when the edge refused it."""
    value = call.body.get(name)
    return value.isoformat() if value else None


def _optional_caller(call: Call) -> dict | None:
    """On a public path, the caller when a valid token came along (a manager sees drafts)."""
    header = call.request.headers.get("Authorization")
    if not header:
        return None
    try:
        return call.gateway.auth.authenticate(header).as_context()
    except Unauthenticated:
        return None


def agenda_csv(agenda: dict) -> tuple[list[str], list[list[Any]]]:
    """Every item is on the agenda's local day; ``time`` is its local ``HH:MM``."""
    local = {"date": agenda["date"]}
    return AGENDA_COLUMNS, [[{**item, **local, "time": item["local_time"]}.get(c)
                             for c in AGENDA_COLUMNS] for item in agenda["items"]]


# -- institutions and managers --------------------------------------------------------------

@api.route("POST", "/api/v1/institutions", roles=(ADMIN,), body=s.InstitutionBody,
           response=s.InstitutionSchema(), status=201, tag=TAG,
           summary="Create an institution (admin)")
def create_institution(call: Call) -> dict:
    return call.rpc("attendance", "create_institution", call.caller, call.body["name"],
                    call.body["acronym"])


@api.route("GET", "/api/v1/institutions", query=PageQuery, response=s.InstitutionList(),
           tag=TAG, summary="Institutions, by name, with their managers")
def list_institutions(call: Call) -> dict:
    return call.rpc("attendance", "list_institutions", **_page(call))


@api.route("POST", "/api/v1/institutions/{id}/managers", roles=(ADMIN,), body=s.ManagerBody,
           response=s.InstitutionSchema(), status=201, tag=TAG,
           summary="Designate a manager (a staff account with role manager); answers the "
                   "institution; 409 if already its manager, 422 if not a manager account")
def designate_manager(call: Call) -> dict:
    return call.rpc("attendance", "designate_manager", call.caller, _id(call),
                    str(call.body["account_id"]))


# -- the service catalogue ------------------------------------------------------------------

@api.route("POST", "/api/v1/institutions/{id}/services", roles=(MANAGER,), body=s.ServiceBody,
           response=s.ServiceSchema(), status=201, tag=TAG, forward_errors=True,
           summary="Draft a service of the institution (its managers)")
def create_service(call: Call) -> dict:
    return call.rpc("attendance", "create_service", call.caller, _id(call), call.body)


@api.route("PATCH", "/api/v1/services/{id}", roles=(MANAGER,), body=s.ServicePatch,
           response=s.ServiceSchema(), tag=TAG, forward_errors=True,
           summary="Edit a service (its managers); steps sent with their id keep it")
def update_service(call: Call) -> dict:
    return call.rpc("attendance", "update_service", call.caller, _id(call), call.body)


@api.route("POST", "/api/v1/services/{id}/publish", roles=(MANAGER,),
           response=s.ServiceSchema(), tag=TAG,
           summary="Publish a service (its managers); 409 if already published")
def publish_service(call: Call) -> dict:
    return call.rpc("attendance", "publish_service", call.caller, _id(call))


@api.route("POST", "/api/v1/services/{id}/unpublish", roles=(MANAGER,),
           response=s.ServiceSchema(), tag=TAG,
           summary="Unpublish a service (its managers); 409 unless published")
def unpublish_service(call: Call) -> dict:
    return call.rpc("attendance", "unpublish_service", call.caller, _id(call))


@api.route("GET", "/api/v1/services", public=True, query=s.ServiceQuery,
           response=s.ServiceList(), tag=TAG,
           summary="Published services, by name; q searches name and description")
def list_services(call: Call) -> dict:
    institution_id = call.query["institution_id"]
    return call.rpc("attendance", "list_services", q=call.query["q"],
                    institution_id=str(institution_id) if institution_id else None,
                    **_page(call))


@api.route("GET", "/api/v1/institutions/{id}/services", roles=(MANAGER,),
           query=s.ServiceStatusQuery, response=s.ServiceList(), tag=TAG,
           summary="Every service of the institution in every state, by name, each with its "
                   "status (its managers and the admin); query status filters")
def institution_services(call: Call) -> dict:
    return call.rpc("attendance", "institution_services", call.caller, _id(call),
                    status=call.query["status"], **_page(call))


@api.route("GET", "/api/v1/services/{id}", public=True, response=s.ServiceSchema(), tag=TAG,
           summary="A published service (its managers also see drafts and unpublished ones)")
def get_service(call: Call) -> dict:
    return call.rpc("attendance", "get_service", _optional_caller(call), _id(call))


@api.route("GET", "/api/v1/services/{id}/ratings", public=True, query=PageQuery,
           response=s.ServiceRatingsSchema(), tag=TAG,
           summary="Approved ratings of a published service, with their average and count")
def service_ratings(call: Call) -> dict:
    return call.rpc("attendance", "service_ratings", _id(call), **_page(call))


# -- attendant access -----------------------------------------------------------------------

@api.route("POST", "/api/v1/institutions/{id}/attendant-requests", roles=(SERVANT,),
           body=s.AttendantRequestBody, response=s.AttendantRequestSchema(), status=201,
           tag=TAG, summary="Ask for attendant access (servant); 409 if pending or approved")
def ask_attendant_access(call: Call) -> dict:
    return call.rpc("attendance", "ask_attendant_access", call.caller, _id(call),
                    call.body["message"])


@api.route("GET", "/api/v1/institutions/{id}/attendant-requests", roles=(MANAGER,),
           query=s.AccessQuery, response=s.AttendantRequestList(), tag=TAG,
           summary="Attendant requests of the institution, newest first (its managers)")
def list_attendant_requests(call: Call) -> dict:
    return call.rpc("attendance", "list_attendant_requests", call.caller, _id(call),
                    status=call.query["status"], **_page(call))


@api.route("POST", "/api/v1/attendant-requests/{id}/approve", roles=(MANAGER,),
           response=s.AttendantRequestSchema(), tag=TAG,
           summary="Approve an attendant request (the institution's managers)")
def approve_attendant_request(call: Call) -> dict:
    return call.rpc("attendance", "approve_attendant_request", call.caller, _id(call))


@api.route("POST", "/api/v1/attendant-requests/{id}/reject", roles=(MANAGER,),
           body=s.ReasonBody, response=s.AttendantRequestSchema(), tag=TAG,
           summary="Reject an attendant request with a reason (the institution's managers)")
def reject_attendant_request(call: Call) -> dict:
    return call.rpc("attendance", "reject_attendant_request", call.caller, _id(call),
                    call.body["reason"])


# -- service requests -----------------------------------------------------------------------

@api.route("POST", "/api/v1/services/{id}/requests", kinds=CITIZENS, body=s.ServiceRequestBody,
           response=s.ServiceRequestSchema(), status=201, idempotent=True, tag=TAG,
           forward_errors=True,
           summary="Request a published service (citizen); answers checked against its form "
                   "(422 on answers.<field>); Idempotency-Key honoured")
def submit_request(call: Call) -> dict:
    return call.rpc("attendance", "submit_request", call.caller, _id(call),
                    call.body.get("answers"), call.body.get("attachment_ids"),
                    idempotency=call.idempotency, **_form_errors(call))


@api.route("GET", "/api/v1/me/service-requests", kinds=CITIZENS, query=s.RequestQuery,
           response=s.ServiceRequestList(), tag=TAG, summary="My service requests, newest first")
def my_requests(call: Call) -> dict:
    return call.rpc("attendance", "my_requests", call.caller, status=call.query["status"],
                    **_page(call))


@api.route("GET", "/api/v1/institutions/{id}/service-requests", kinds=STAFF_ONLY,
           query=s.RequestQuery, response=s.ServiceRequestList(), tag=TAG,
           summary="The institution's queue (its attendants and managers): earliest due time "
                   "first, overdue ones flagged")
def institution_requests(call: Call) -> dict:
    return call.rpc("attendance", "institution_requests", call.caller, _id(call),
                    status=call.query["status"], **_page(call))


@api.route("GET", "/api/v1/service-requests/{id}", kinds=PEOPLE,
           response=s.ServiceRequestSchema(), tag=TAG,
           summary="A service request (its citizen, the institution's attendants and managers)")
def get_request(call: Call) -> dict:
    return call.rpc("attendance", "get_request", call.caller, _id(call))


@api.route("POST", "/api/v1/service-requests/{id}/start-analysis", kinds=STAFF_ONLY,
           response=s.ServiceRequestSchema(), tag=TAG,
           summary="Start the analysis (an attendant of the institution); 409 unless submitted")
def start_analysis(call: Call) -> dict:
    return call.rpc("attendance", "start_analysis", call.caller, _id(call))


@api.route("POST", "/api/v1/service-requests/{id}/approve", kinds=STAFF_ONLY, body=s.ApproveBody,
           response=s.ServiceRequestSchema(), tag=TAG,
           summary="Approve and assign an attendant of the same institution; 409 unless "
                   "in_analysis")
def approve_request(call: Call) -> dict:
    return call.rpc("attendance", "approve_request", call.caller, _id(call),
                    str(call.body["attendant_id"]))


@api.route("POST", "/api/v1/service-requests/{id}/reject", kinds=STAFF_ONLY,
           body=s.JustificationBody, response=s.ServiceRequestSchema(), tag=TAG,
           summary="Reject with a justification the citizen sees; 409 unless in_analysis")
def reject_request(call: Call) -> dict:
    return call.rpc("attendance", "reject_request", call.caller, _id(call),
                    call.body["justification"])


@api.route("PUT", "/api/v1/service-requests/{id}/checklist", kinds=STAFF_ONLY,
           body=s.ChecklistBody, response=s.ChecklistItemSchema(many=True), tag=TAG,
           forward_errors=True,
           summary="Answer checklist steps yes/no by step id (the assigned attendant)")
def answer_checklist(call: Call) -> list:
    return call.rpc("attendance", "answer_checklist", call.caller, _id(call),
                    call.body.get("answers"), **_form_errors(call))


@api.route("POST", "/api/v1/service-requests/{id}/follow-ups", kinds=PEOPLE,
           body=s.FollowUpBody, response=s.FollowUpSchema(), status=201, tag=TAG,
           summary="Add to the history (the assigned attendant or the citizen)")
def add_follow_up(call: Call) -> dict:
    return call.rpc("attendance", "add_follow_up", call.caller, _id(call), call.body["message"],
                    call.body["attachment_ids"])


@api.route("GET", "/api/v1/service-requests/{id}/follow-ups", kinds=PEOPLE, query=PageQuery,
           response=s.FollowUpList(), tag=TAG, summary="The history, oldest first")
def list_follow_ups(call: Call) -> dict:
    return call.rpc("attendance", "list_follow_ups", call.caller, _id(call), **_page(call))


@api.route("POST", "/api/v1/service-requests/{id}/meetings", kinds=STAFF_ONLY, body=s.MeetingBody,
           response=s.MeetingSchema(), status=201, tag=TAG, forward_errors=True,
           summary="Schedule a video meeting in the future (the assigned attendant)")
def schedule_meeting(call: Call) -> dict:
    return call.rpc("attendance", "schedule_meeting", call.caller, _id(call),
                    _instant(call, "starts_at"), call.body.get("subject"),
                    duration_minutes=call.body.get("duration_minutes"), **_form_errors(call))


@api.route("GET", "/api/v1/service-requests/{id}/meetings", kinds=PEOPLE, query=PageQuery,
           response=s.MeetingList(), tag=TAG, summary="The request's meetings, by start")
def list_meetings(call: Call) -> dict:
    return call.rpc("attendance", "list_meetings", call.caller, _id(call), **_page(call))


@api.route("POST", "/api/v1/service-requests/{id}/conclude", kinds=STAFF_ONLY, body=s.NoteBody,
           response=s.ServiceRequestSchema(), tag=TAG,
           summary="Conclude with a final note (the assigned attendant); 409 unless in_progress")
def conclude_request(call: Call) -> dict:
    return call.rpc("attendance", "conclude_request", call.caller, _id(call), call.body["note"])


# -- ratings --------------------------------------------------------------------------------

@api.route("POST", "/api/v1/service-requests/{id}/rating", kinds=CITIZENS, body=s.RatingBody,
           response=s.RatingSchema(), status=201, tag=TAG,
           summary="Rate a concluded request once (its citizen); 409 twice or before conclusion")
def rate_request(call: Call) -> dict:
    return call.rpc("attendance", "rate_request", call.caller, _id(call), call.body["score"],
                    call.body["comment"])


@api.route("GET", "/api/v1/institutions/{id}/ratings", kinds=STAFF_ONLY, query=s.RatingQuery,
           response=s.RatingList(), tag=TAG,
           summary="The institution's ratings, newest first (its attendants)")
def institution_ratings(call: Call) -> dict:
    return call.rpc("attendance", "institution_ratings", call.caller, _id(call),
                    status=call.query["status"], **_page(call))


@api.route("POST", "/api/v1/ratings/{id}/moderate", kinds=STAFF_ONLY, body=s.ModerationBody,
           response=s.RatingSchema(), tag=TAG,
           summary="Approve a rating for the public or reject it (an attendant of the "
                   "institution); 409 once moderated")
def moderate_rating(call: Call) -> dict:
    return call.rpc("attendance", "moderate_rating", call.caller, _id(call),
                    call.body["approved"], call.body["reason"])


# -- agenda ---------------------------------------------------------------------------------

@api.route("GET", "/api/v1/institutions/{id}/agenda", kinds=STAFF_ONLY, query=s.AgendaQuery,
           response=s.AgendaSchema(), csv=agenda_csv, tag=TAG,
           summary="The institution's meetings and appointments on a local day, each with "
                   "its UTC starts_at and local_time (PONTE_TIMEZONE); CSV (columns date,time,"
                   "kind,...) with Accept: text/csv or format=csv")
def agenda(call: Call) -> dict:
    day = call.query["date"]
    return call.rpc("attendance", "agenda", call.caller, _id(call),
                    day.isoformat() if day else None)


# -- appointments at providers and institutions ----------------------------------------------

@api.route("POST", "/api/v1/providers/{id}/appointments", kinds=CITIZENS,
           body=s.AppointmentBody, response=s.AppointmentSchema(), status=201, tag=TAG,
           forward_errors=True,
           summary="Book an appointment at a provider (citizen); the provider is told")
def book_appointment(call: Call) -> dict:
    return call.rpc("attendance", "book_appointment", call.caller, _id(call),
                    _instant(call, "starts_at"), notes=call.body.get("notes"),
                    attachment_ids=call.body.get("attachment_ids"), **_form_errors(call))


@api.route("GET", "/api/v1/providers/{id}/appointments", kinds=PROVIDER_SIDE,
           query=s.AppointmentQuery, response=s.AppointmentList(), tag=TAG,
           summary="The provider's appointments from `from` to `to` (inclusive local dates), "
                   "by start (provider side with authorizations)")
def provider_appointments(call: Call) -> dict:
    provider_id = _id(call)
    call.require_provider_role(provider_id, AUTHORIZATIONS)
    first, last = call.query["from_"], call.query["to"]
    return call.rpc("attendance", "provider_appointments", call.caller_with_grants(),
                    provider_id, first.isoformat() if first else None,
                    last.isoformat() if last else None, **_page(call))


@api.route("POST", "/api/v1/institutions/{id}/appointments", kinds=CITIZENS,
           body=s.AppointmentBody, response=s.AppointmentSchema(), status=201, tag=TAG,
           forward_errors=True,
           summary="Book an appointment at an institution (citizen); its attendants and "
                   "managers are told and see it on the agenda")
def book_institution_appointment(call: Call) -> dict:
    return call.rpc("attendance", "book_institution_appointment", call.caller, _id(call),
                    _instant(call, "starts_at"), notes=call.body.get("notes"),
                    attachment_ids=call.body.get("attachment_ids"), **_form_errors(call))


@api.route("GET", "/api/v1/institutions/{id}/appointments", kinds=STAFF_ONLY,
           query=s.AppointmentQuery, response=s.AppointmentList(), tag=TAG,
           summary="The institution's appointments from `from` to `to` (inclusive local "
                   "dates), by start (its attendants and managers)")
def institution_appointments(call: Call) -> dict:
    first, last = call.query["from_"], call.query["to"]
    return call.rpc("attendance", "institution_appointments", call.caller, _id(call),
                    first.isoformat() if first else None, last.isoformat() if last else None,
                    **_page(call))


@api.route("GET", "/api/v1/me/appointments", kinds=CITIZENS, query=PageQuery,
           response=s.AppointmentList(), tag=TAG, summary="My appointments, by start")
def my_appointments(call: Call) -> dict:
    return call.rpc("attendance", "my_appointments", call.caller, **_page(call))


@api.route("GET", "/api/v1/appointments/{id}", kinds=EITHER_SIDE,
           response=s.AppointmentSchema(), tag=TAG,
           summary="An appointment (its citizen; the provider side with authorizations, or the "
                   "institution's attendants and managers)")
def get_appointment(call: Call) -> dict:
    return call.rpc("attendance", "get_appointment", call.caller_with_grants(), _id(call))


@api.route("POST", "/api/v1/appointments/{id}/cancel", kinds=EITHER_SIDE,
           response=s.AppointmentSchema(), tag=TAG,
           summary="Cancel an appointment (either side); the other side is told")
def cancel_appointment(call: Call) -> dict:
    return call.rpc("attendance", "cancel_appointment", call.caller_with_grants(), _id(call))
