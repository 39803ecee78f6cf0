"""nameko face of the authorizations service: RPC for the gateway, the overdue-audit timer, and
the read models of identity's accounts and providers. Each entrypoint hands its arguments to one
use case; every subscription is listed here."""
from __future__ import annotations

from nameko.timer import timer

from ponte.clock import Clock
from ponte.config import settings
from ponte.db import Database
from ponte.messaging import Event, handles
from ponte.roles import PROVIDER, SECRETARY, STAFF
from ponte.rpc import Services
from ponte.service import BaseService, rpc
from ponte.service_layer import Context
from services.authorizations.repository import Repository
from services.authorizations.usecases import accounts, audit, catalogue, inquiries, money, requests

OVERDUE_INTERVAL_SECONDS = 30


class AuthorizationsService(BaseService):
    name = "authorizations"
    db = Database()
    clock = Clock()
    services = Services()

    def _ctx(self) -> Context[Repository]:
        return Context(self.db, Repository, clock=self.clock, rpc=self.services,
                       settings={"operator_ans_code": settings().operator_ans_code})

    # -- catalogue ------------------------------------------------------------------------

    @rpc
    def list_demand_types(self) -> dict:
        return catalogue.demand_types()

    @rpc
    def list_procedures(self, q: str | None = None, limit: int = 50,
                        cursor: str | None = None) -> dict:
        return catalogue.list_procedures(self._ctx(), q, limit, cursor)

    @rpc
    def create_procedure(self, caller: dict, data: dict) -> dict:
        return catalogue.create_procedure(self._ctx(), caller, data)

    @rpc
    def update_procedure(self, caller: dict, code: str, changes: dict) -> dict:
        return catalogue.update_procedure(self._ctx(), caller, code, changes)

    # -- requests -------------------------------------------------------------------------

    @rpc
    def create_request(self, caller: dict, data: dict, idempotency: dict | None = None) -> dict:
        return requests.create_request(self._ctx(), caller, data, idempotency)

    @rpc
    def add_item(self, caller: dict, request_id: str, item: dict) -> dict:
        return requests.add_item(self._ctx(), caller, request_id, item)

    @rpc
    def remove_item(self, caller: dict, request_id: str, item_id: str) -> None:
        requests.remove_item(self._ctx(), caller, request_id, item_id)

    @rpc
    def submit_request(self, caller: dict, request_id: str) -> dict:
        return requests.submit(self._ctx(), caller, request_id)

    @rpc
    def get_request(self, caller: dict, request_id: str) -> dict:
        return requests.get_request(self._ctx(), caller, request_id)

    @rpc
    def list_requests(self, caller: dict, filters: dict, limit: int = 50,
                      cursor: str | None = None) -> dict:
        return requests.list_requests(self._ctx(), caller, filters, limit, cursor)

    @rpc
    def list_interactions(self, caller: dict, request_id: str) -> dict:
        return requests.interactions(self._ctx(), caller, request_id)

    @rpc
    def add_interaction(self, caller: dict, request_id: str, message: str,
                        kind: str = "message", attachment_ids: list | None = None) -> dict:
        return requests.add_interaction(self._ctx(), caller, request_id, message, kind,
                                        attachment_ids)

    @rpc
    def cancel_request(self, caller: dict, request_id: str, reason: str) -> dict:
        return requests.cancel(self._ctx(), caller, request_id, reason)

    @rpc
    def appeal_request(self, caller: dict, request_id: str, justification: str,
                       attachment_ids: list | None = None) -> dict:
        return requests.appeal(self._ctx(), caller, request_id, justification, attachment_ids)

    # -- audit and codes ------------------------------------------------------------------

    @rpc
    def decide_request(self, caller: dict, request_id: str, outcome: str,
                       items: list | None = None, justification: str | None = None,
                       denial_reason: str | None = None) -> dict:
        return audit.decide(self._ctx(), caller, request_id, outcome, items, justification,
                            denial_reason)

    @rpc
    def audit_queue(self, caller: dict, limit: int = 50, cursor: str | None = None) -> dict:
        return audit.audit_queue(self._ctx(), caller, limit, cursor)

    @rpc
    def check_code(self, caller: dict, code: str, beneficiary: str | None = None,
                   professional_document: str | None = None,
                   procedure_code: str | None = None) -> dict:
        return audit.check_code(self._ctx(), caller, code, beneficiary, professional_document,
                                procedure_code)

    @timer(interval=OVERDUE_INTERVAL_SECONDS, eager=True)
    def announce_overdue_audits(self) -> int:
        return audit.announce_overdue(self._ctx())

    # -- payments and inquiries -----------------------------------------------------------

    @rpc
    def record_payment(self, caller: dict, data: dict) -> dict:
        return money.record_payment(self._ctx(), caller, data)

    @rpc
    def list_payments(self, caller: dict, provider_id: str | None = None, limit: int = 50,
                      cursor: str | None = None) -> dict:
        return money.list_payments(self._ctx(), caller, provider_id, limit, cursor)

    @rpc
    def create_inquiry(self, caller: dict, data: dict) -> dict:
        return inquiries.create_inquiry(self._ctx(), caller, data)

    @rpc
    def list_inquiries(self, caller: dict, provider_id: str | None = None,
                       status: str | None = None, limit: int = 50,
                       cursor: str | None = None) -> dict:
        return inquiries.list_inquiries(self._ctx(), caller, provider_id, status, limit, cursor)

    @rpc
    def get_inquiry(self, caller: dict, inquiry_id: str) -> dict:
        return inquiries.get_inquiry(self._ctx(), caller, inquiry_id)

    @rpc
    def add_inquiry_message(self, caller: dict, inquiry_id: str, message: str) -> dict:
        return inquiries.add_message(self._ctx(), caller, inquiry_id, message)

    # -- files ----------------------------------------------------------------------------

    @rpc
    def may_read_attachment(self, caller: dict, attachment_id: str) -> bool:
        return accounts.may_read_attachment(self._ctx(), caller, attachment_id)

    # -- read models of identity (subscription names name the queues: docs/events.md) ------

    @handles("identity", "provider_preregistered", subscription="handle_provider_preregistered")
    def handle_provider_preregistered(self, event: Event) -> None:
        accounts.remember_provider(self._ctx(), event.data["provider_id"],
                                   event.data.get("legal_name"))

    @handles("identity", "provider_registered", subscription="handle_provider_registered")
    def handle_provider_registered(self, event: Event) -> None:
        data = event.data
        accounts.remember_account(self._ctx(), data["account_id"], PROVIDER, data.get("name"))

    @handles("identity", "secretary_registered", subscription="handle_secretary_registered")
    def handle_secretary_registered(self, event: Event) -> None:
        data = event.data
        accounts.remember_account(self._ctx(), data["account_id"], SECRETARY, data.get("name"))

    @handles("identity", "staff_created", subscription="handle_staff_created")
    def handle_staff_created(self, event: Event) -> None:
        data = event.data
        accounts.remember_account(self._ctx(), data["account_id"], STAFF, data.get("name"))

    @handles("identity", "account_updated", subscription="handle_account_updated")
    def handle_account_updated(self, event: Event) -> None:
        data = event.data
        accounts.remember_account(self._ctx(), data["account_id"], data.get("kind"),
                                  data.get("name"))
