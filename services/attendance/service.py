"""nameko face of the attendance service: each RPC of docs/rpc.md forwards to a use case, after
asking identity for the accounts or the provider the step needs; the due-time timer; and one
subscription, to keep the names of people who acted here current."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from nameko.timer import timer

from ponte.clock import Clock, parse_iso
from ponte.config import settings
from ponte.db import Database
from ponte.errors import InvalidInput, NotFound
from ponte.messaging import Event, handles
from ponte.rpc import Services
from ponte.service import BaseService, rpc
from services.attendance.usecases import (access, agenda, appointments, attachments, catalogue,
                                          ratings, requests)
from services.attendance.usecases import Attendance, account_updated

OVERDUE_INTERVAL_SECONDS = 30


def _instant(value: Any, name: str) -> datetime:
    try:
        return parse_iso(str(value))
    except (ValueError, OverflowError):
        raise InvalidInput(f"{name} must be an ISO-8601 instant.",
                           {name: ["Not a valid date-time."]}) from None


def _day(value: Any, name: str) -> date | None:
    """A calendar day between the years 1900 and 2999 (a day's bounds must be computable)."""
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2999:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD.",
                           {name: ["Not a valid date (YYYY-MM-DD, years 1900 to 2999)."]})
    return day


class AttendanceService(BaseService):
    name = "attendance"
    db = Database()
    clock: Callable[[], datetime] = Clock()
    services = Services()

    @property
    def attendance(self) -> Attendance:
        return Attendance(self.db, self.clock, settings().meeting_base_url)

    def _account(self, account_id: str) -> dict | None:
        found = self.services("identity", "get_accounts", [account_id])
        return found[0] if found else None

    def _caller_account(self, caller: dict) -> dict:
        account = self._account(caller["account_id"])
        if account is None:
            raise NotFound("Your account no longer exists.")
        return account

    # institutions and managers
    @rpc
    def create_institution(self, caller: dict, name: str, acronym: str) -> dict:
        return catalogue.create_institution(self.attendance, caller, name, acronym)

    @rpc
    def list_institutions(self, limit: int = 50, cursor: str | None = None) -> dict:
        return catalogue.list_institutions(self.attendance, limit, cursor)

    @rpc
    def designate_manager(self, caller: dict, institution_id: str, account_id: str) -> dict:
        return catalogue.designate_manager(self.attendance, caller, institution_id, account_id,
                                           self._account(account_id))

    # the service catalogue
    @rpc
    def create_service(self, caller: dict, institution_id: str, data: dict) -> dict:
        return catalogue.create_service(self.attendance, caller, institution_id, data)

    @rpc
    def update_service(self, caller: dict, service_id: str, changes: dict) -> dict:
        return catalogue.update_service(self.attendance, caller, service_id, changes)

    @rpc
    def publish_service(self, caller: dict, service_id: str) -> dict:
        return catalogue.publish_service(self.attendance, caller, service_id, True)

    @rpc
    def unpublish_service(self, caller: dict, service_id: str) -> dict:
        return catalogue.publish_service(self.attendance, caller, service_id, False)

    @rpc
    def list_services(self, q: str | None = None, institution_id: str | None = None,
                      limit: int = 50, cursor: str | None = None) -> dict:
        return catalogue.list_services(self.attendance, q, institution_id, limit, cursor)

    @rpc
    def get_service(self, caller: dict | None, service_id: str) -> dict:
        return catalogue.get_service(self.attendance, caller, service_id)

    # attendant access
    @rpc
    def ask_attendant_access(self, caller: dict, institution_id: str,
                             message: str | None = None) -> dict:
        return access.ask_attendant_access(self.attendance, caller, institution_id, message,
                                           self._caller_account(caller))

    @rpc
    def list_attendant_requests(self, caller: dict, institution_id: str,
                                status: str | None = None, limit: int = 50,
                                cursor: str | None = None) -> dict:
        return access.list_attendant_requests(self.attendance, caller, institution_id, status,
                                              limit, cursor)

    @rpc
    def approve_attendant_request(self, caller: dict, request_id: str) -> dict:
        return access.decide_attendant_request(self.attendance, caller, request_id, True)

    @rpc
    def reject_attendant_request(self, caller: dict, request_id: str, reason: str) -> dict:
        return access.decide_attendant_request(self.attendance, caller, request_id, False,
                                               reason)

    # service requests
    @rpc
    def submit_request(self, caller: dict, service_id: str, answers: dict,
                       attachment_ids: list[str] | None = None,
                       idempotency: dict | None = None) -> dict:
        return requests.submit_request(self.attendance, caller, service_id, answers,
                                       attachment_ids or [], self._caller_account(caller),
                                       idempotency)

    @rpc
    def my_requests(self, caller: dict, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict:
        return requests.my_requests(self.attendance, caller, status, limit, cursor)

    @rpc
    def institution_requests(self, caller: dict, institution_id: str, status: str | None = None,
                             limit: int = 50, cursor: str | None = None) -> dict:
        return requests.institution_requests(self.attendance, caller, institution_id, status,
                                             limit, cursor)

    @rpc
    def get_request(self, caller: dict, request_id: str) -> dict:
        return requests.get_request(self.attendance, caller, request_id)

    @rpc
    def start_analysis(self, caller: dict, request_id: str) -> dict:
        return requests.start_analysis(self.attendance, caller, request_id)

    @rpc
    def approve_request(self, caller: dict, request_id: str, attendant_id: str) -> dict:
        return requests.approve_request(self.attendance, caller, request_id, attendant_id)

    @rpc
    def reject_request(self, caller: dict, request_id: str, justification: str) -> dict:
        return requests.reject_request(self.attendance, caller, request_id, justification)

    @rpc
    def answer_checklist(self, caller: dict, request_id: str, answers: dict) -> list[dict]:
        return requests.answer_checklist(self.attendance, caller, request_id, answers)

    @rpc
    def add_follow_up(self, caller: dict, request_id: str, message: str,
                      attachment_ids: list[str] | None = None) -> dict:
        return requests.add_follow_up(self.attendance, caller, request_id, message,
                                      attachment_ids or [])

    @rpc
    def list_follow_ups(self, caller: dict, request_id: str, limit: int = 50,
                        cursor: str | None = None) -> dict:
        return requests.list_follow_ups(self.attendance, caller, request_id, limit, cursor)

    @rpc
    def schedule_meeting(self, caller: dict, request_id: str, starts_at: str, subject: str,
                         duration_minutes: int | None = None) -> dict:
        return requests.schedule_meeting(self.attendance, caller, request_id,
                                         _instant(starts_at, "starts_at"), duration_minutes,
                                         subject)

    @rpc
    def list_meetings(self, caller: dict, request_id: str, limit: int = 50,
                      cursor: str | None = None) -> dict:
        return requests.list_meetings(self.attendance, caller, request_id, limit, cursor)

    @rpc
    def conclude_request(self, caller: dict, request_id: str, note: str) -> dict:
        return requests.conclude_request(self.attendance, caller, request_id, note)

    # ratings
    @rpc
    def rate_request(self, caller: dict, request_id: str, score: int,
                     comment: str | None = None) -> dict:
        return ratings.rate_request(self.attendance, caller, request_id, score, comment)

    @rpc
    def institution_ratings(self, caller: dict, institution_id: str, status: str | None = None,
                            limit: int = 50, cursor: str | None = None) -> dict:
        return ratings.institution_ratings(self.attendance, caller, institution_id, status,
                                           limit, cursor)

    @rpc
    def moderate_rating(self, caller: dict, rating_id: str, approved: bool,
                        reason: str | None = None) -> dict:
        return ratings.moderate_rating(self.attendance, caller, rating_id, approved, reason)

    @rpc
    def service_ratings(self, service_id: str, limit: int = 50,
                        cursor: str | None = None) -> dict:
        return ratings.service_ratings(self.attendance, service_id, limit, cursor)

    # agenda
    @rpc
    def agenda(self, caller: dict, institution_id: str, day: str | None = None) -> dict:
        return agenda.agenda(self.attendance, caller, institution_id, _day(day, "date"))

    # appointments at providers and institutions
    @rpc
    def book_appointment(self, caller: dict, provider_id: str, starts_at: str,
                         notes: str | None = None,
                         attachment_ids: list[str] | None = None) -> dict:
        provider = self.services("identity", "get_provider", provider_id)
        return appointments.book_appointment(self.attendance, caller, provider,
                                             _instant(starts_at, "starts_at"), notes,
                                             attachment_ids or [], self._caller_account(caller))

    @rpc
    def book_institution_appointment(self, caller: dict, institution_id: str, starts_at: str,
                                     notes: str | None = None,
                                     attachment_ids: list[str] | None = None) -> dict:
        return appointments.book_institution_appointment(
            self.attendance, caller, institution_id, _instant(starts_at, "starts_at"), notes,
            attachment_ids or [], self._caller_account(caller))

    @rpc
    def institution_appointments(self, caller: dict, institution_id: str,
                                 first_day: str | None = None, last_day: str | None = None,
                                 limit: int = 50, cursor: str | None = None) -> dict:
        return appointments.institution_appointments(self.attendance, caller, institution_id,
                                                     _day(first_day, "from"), _day(last_day, "to"),
                                                     limit, cursor)

    @rpc
    def provider_appointments(self, caller: dict, provider_id: str, first_day: str | None = None,
                              last_day: str | None = None, limit: int = 50,
                              cursor: str | None = None) -> dict:
        return appointments.provider_appointments(self.attendance, caller, provider_id,
                                                  _day(first_day, "from"), _day(last_day, "to"),
                                                  limit, cursor)

    @rpc
    def my_appointments(self, caller: dict, limit: int = 50, cursor: str | None = None) -> dict:
        return appointments.my_appointments(self.attendance, caller, limit, cursor)

    @rpc
    def get_appointment(self, caller: dict, appointment_id: str) -> dict:
        return appointments.get_appointment(self.attendance, caller, appointment_id)

    @rpc
    def cancel_appointment(self, caller: dict, appointment_id: str) -> dict:
        return appointments.cancel_appointment(self.attendance, caller, appointment_id)

    # attachments held here, and due times
    @rpc
    def may_read_attachment(self, caller: dict, attachment_id: str) -> bool:
        return attachments.may_read_attachment(self.attendance, caller, attachment_id)

    @timer(interval=OVERDUE_INTERVAL_SECONDS, eager=True)
    def flag_overdue_requests(self) -> int:
        """``service_request_overdue`` once per request whose due time has passed."""
        return requests.flag_overdue(self.attendance)

    @handles("identity", "account_updated", subscription="handle_account_updated")
    def handle_account_updated(self, event: Event) -> None:
        account_updated(self.attendance, event.data)
