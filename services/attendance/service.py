"""nameko face of the attendance service: each RPC of docs/rpc.md turns its caller into a
``ponte.caller.Caller`` and forwards to one use case; the due-time timer; and one subscription,
to keep the names of people who acted here current."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nameko.timer import timer

from ponte.caller import Caller
from ponte.clock import Clock
from ponte.config import settings
from ponte.db import Database
from ponte.messaging import Event, handles
from ponte.rpc import Services
from ponte.service import BaseService, rpc
from ponte.service_layer import Context
from services.attendance.repository import Repository
from services.attendance.usecases import (
    access,
    agenda,
    appointments,
    attachments,
    catalogue,
    people,
    ratings,
    requests,
)

OVERDUE_INTERVAL_SECONDS = 30


class AttendanceService(BaseService):
    name = "attendance"
    db = Database()
    clock: Callable[[], datetime] = Clock()
    services = Services()

    @property
    def ctx(self) -> Context[Repository]:
        return Context(self.db, Repository, clock=self.clock, rpc=self.services,
                       settings={"meeting_base_url": settings().meeting_base_url})

    # institutions and managers
    @rpc
    def create_institution(self, caller: dict, name: str, acronym: str) -> dict:
        return catalogue.create_institution(self.ctx, Caller.of(caller), name, acronym)

    @rpc
    def list_institutions(self, limit: int = 50, cursor: str | None = None) -> dict:
        return catalogue.list_institutions(self.ctx, limit, cursor)

    @rpc
    def designate_manager(self, caller: dict, institution_id: str, account_id: str) -> dict:
        return catalogue.designate_manager(self.ctx, Caller.of(caller), institution_id,
                                           account_id)

    # the service catalogue
    @rpc
    def create_service(self, caller: dict, institution_id: str, data: dict) -> dict:
        return catalogue.create_service(self.ctx, Caller.of(caller), institution_id, data)

    @rpc
    def update_service(self, caller: dict, service_id: str, changes: dict) -> dict:
        return catalogue.update_service(self.ctx, Caller.of(caller), service_id, changes)

    @rpc
    def publish_service(self, caller: dict, service_id: str) -> dict:
        return catalogue.publish_service(self.ctx, Caller.of(caller), service_id, True)

    @rpc
    def unpublish_service(self, caller: dict, service_id: str) -> dict:
        return catalogue.publish_service(self.ctx, Caller.of(caller), service_id, False)

    @rpc
    def list_services(self, q: str | None = None, institution_id: str | None = None,
                      limit: int = 50, cursor: str | None = None) -> dict:
        return catalogue.list_services(self.ctx, q, institution_id, limit, cursor)

    @rpc
    def institution_services(self, caller: dict, institution_id: str, status: str | None = None,
                             limit: int = 50, cursor: str | None = None) -> dict:
        return catalogue.institution_services(self.ctx, Caller.of(caller), institution_id,
                                              status, limit, cursor)

    @rpc
    def get_service(self, caller: dict | None, service_id: str) -> dict:
        return catalogue.get_service(self.ctx, Caller.of(caller), service_id)

    # attendant access
    @rpc
    def ask_attendant_access(self, caller: dict, institution_id: str,
                             message: str | None = None) -> dict:
        return access.ask_attendant_access(self.ctx, Caller.of(caller), institution_id, message)

    @rpc
    def list_attendant_requests(self, caller: dict, institution_id: str,
                                status: str | None = None, limit: int = 50,
                                cursor: str | None = None) -> dict:
        return access.list_attendant_requests(self.ctx, Caller.of(caller), institution_id,
                                              status, limit, cursor)

    @rpc
    def approve_attendant_request(self, caller: dict, request_id: str) -> dict:
        return access.decide_attendant_request(self.ctx, Caller.of(caller), request_id, True)

    @rpc
    def reject_attendant_request(self, caller: dict, request_id: str, reason: str) -> dict:
        return access.decide_attendant_request(self.ctx, Caller.of(caller), request_id, False,
                                               reason)

    # service requests
    @rpc
    def submit_request(self, caller: dict, service_id: str, answers: dict | None,
                       attachment_ids: list[str] | None = None,
                       idempotency: dict | None = None,
                       form_errors: dict | None = None) -> dict:
        return requests.submit_request(self.ctx, Caller.of(caller), service_id, answers,
                                       attachment_ids or [], idempotency, form_errors)

    @rpc
    def my_requests(self, caller: dict, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict:
        return requests.my_requests(self.ctx, Caller.of(caller), status, limit, cursor)

    @rpc
    def institution_requests(self, caller: dict, institution_id: str, status: str | None = None,
                             limit: int = 50, cursor: str | None = None) -> dict:
        return requests.institution_requests(self.ctx, Caller.of(caller), institution_id, status,
                                             limit, cursor)

    @rpc
    def get_request(self, caller: dict, request_id: str) -> dict:
        return requests.get_request(self.ctx, Caller.of(caller), request_id)

    @rpc
    def start_analysis(self, caller: dict, request_id: str) -> dict:
        return requests.start_analysis(self.ctx, Caller.of(caller), request_id)

    @rpc
    def approve_request(self, caller: dict, request_id: str, attendant_id: str) -> dict:
        return requests.approve_request(self.ctx, Caller.of(caller), request_id, attendant_id)

    @rpc
    def reject_request(self, caller: dict, request_id: str, justification: str) -> dict:
        return requests.reject_request(self.ctx, Caller.of(caller), request_id, justification)

    @rpc
    def answer_checklist(self, caller: dict, request_id: str, answers: dict | None,
                         form_errors: dict | None = None) -> list[dict]:
        return requests.answer_checklist(self.ctx, Caller.of(caller), request_id, answers,
                                         form_errors)

    @rpc
    def add_follow_up(self, caller: dict, request_id: str, message: str,
                      attachment_ids: list[str] | None = None) -> dict:
        return requests.add_follow_up(self.ctx, Caller.of(caller), request_id, message,
                                      attachment_ids or [])

    @rpc
    def list_follow_ups(self, caller: dict, request_id: str, limit: int = 50,
                        cursor: str | None = None) -> dict:
        return requests.list_follow_ups(self.ctx, Caller.of(caller), request_id, limit, cursor)

    @rpc
    def schedule_meeting(self, caller: dict, request_id: str, starts_at: str | None,
                         subject: str | None, duration_minutes: int | None = None,
                         form_errors: dict | None = None) -> dict:
        return requests.schedule_meeting(self.ctx, Caller.of(caller), request_id, starts_at,
                                         duration_minutes, subject, form_errors)

    @rpc
    def list_meetings(self, caller: dict, request_id: str, limit: int = 50,
                      cursor: str | None = None) -> dict:
        return requests.list_meetings(self.ctx, Caller.of(caller), request_id, limit, cursor)

    @rpc
    def conclude_request(self, caller: dict, request_id: str, note: str) -> dict:
        return requests.conclude_request(self.ctx, Caller.of(caller), request_id, note)

    # ratings
    @rpc
    def rate_request(self, caller: dict, request_id: str, score: int,
                     comment: str | None = None) -> dict:
        return ratings.rate_request(self.ctx, Caller.of(caller), request_id, score, comment)

    @rpc
    def institution_ratings(self, caller: dict, institution_id: str, status: str | None = None,
                            limit: int = 50, cursor: str | None = None) -> dict:
        return ratings.institution_ratings(self.ctx, Caller.of(caller), institution_id, status,
                                           limit, cursor)

    @rpc
    def moderate_rating(self, caller: dict, rating_id: str, approved: bool,
                        reason: str | None = None) -> dict:
        return ratings.moderate_rating(self.ctx, Caller.of(caller), rating_id, approved, reason)

    @rpc
    def service_ratings(self, service_id: str, limit: int = 50,
                        cursor: str | None = None) -> dict:
        return ratings.service_ratings(self.ctx, service_id, limit, cursor)

    # agenda
    @rpc
    def agenda(self, caller: dict, institution_id: str, day: str | None = None) -> dict:
        return agenda.agenda(self.ctx, Caller.of(caller), institution_id, day)

    # appointments at providers and institutions
    @rpc
    def book_appointment(self, caller: dict, provider_id: str, starts_at: str | None,
                         notes: str | None = None, attachment_ids: list[str] | None = None,
                         form_errors: dict | None = None) -> dict:
        return appointments.book_appointment(self.ctx, Caller.of(caller), provider_id,
                                             starts_at, notes, attachment_ids or [], form_errors)

    @rpc
    def book_institution_appointment(self, caller: dict, institution_id: str,
                                     starts_at: str | None, notes: str | None = None,
                                     attachment_ids: list[str] | None = None,
                                     form_errors: dict | None = None) -> dict:
        return appointments.book_institution_appointment(
            self.ctx, Caller.of(caller), institution_id, starts_at, notes,
            attachment_ids or [], form_errors)

    @rpc
    def institution_appointments(self, caller: dict, institution_id: str,
                                 first_day: str | None = None, last_day: str | None = None,
                                 limit: int = 50, cursor: str | None = None) -> dict:
        return appointments.institution_appointments(self.ctx, Caller.of(caller),
                                                     institution_id, first_day, last_day,
                                                     limit, cursor)

    @rpc
    def provider_appointments(self, caller: dict, provider_id: str, first_day: str | None = None,
                              last_day: str | None = None, limit: int = 50,
                              cursor: str | None = None) -> dict:
        return appointments.provider_appointments(self.ctx, Caller.of(caller), provider_id,
                                                  first_day, last_day, limit, cursor)

    @rpc
    def my_appointments(self, caller: dict, limit: int = 50, cursor: str | None = None) -> dict:
        return appointments.my_appointments(self.ctx, Caller.of(caller), limit, cursor)

    @rpc
    def get_appointment(self, caller: dict, appointment_id: str) -> dict:
        return appointments.get_appointment(self.ctx, Caller.of(caller), appointment_id)

    @rpc
    def cancel_appointment(self, caller: dict, appointment_id: str) -> dict:
        return appointments.cancel_appointment(self.ctx, Caller.of(caller), appointment_id)

    # attachments held here, and due times
    @rpc
    def may_read_attachment(self, caller: dict, attachment_id: str) -> bool:
        return attachments.may_read_attachment(self.ctx, Caller.of(caller), attachment_id)

    @timer(interval=OVERDUE_INTERVAL_SECONDS, eager=True)
    def flag_overdue_requests(self) -> int:
        """``service_request_overdue`` once per request whose due time has passed."""
        return requests.flag_overdue(self.ctx)

    @handles("identity", "account_updated", subscription="handle_account_updated")
    def handle_account_updated(self, event: Event) -> None:
        people.account_updated(self.ctx, event.data)
