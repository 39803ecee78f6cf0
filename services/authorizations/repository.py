"""Loading and saving the authorizations service's state inside one unit of work."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ponte.later import write_later
from ponte.pagination import Page, Pager
from services.authorizations.domain.catalogue import Procedure, search_key
from services.authorizations.domain.codes import AuthorizationCode, normalise_identifier
from services.authorizations.domain.requests import AuthorizationRequest, Item
from services.authorizations.models import (
    accounts,
    attachments,
    codes,
    inquiries,
    inquiry_messages,
    interactions,
    payments,
    procedures,
    providers,
    request_items,
    requests,
)

PROCEDURE_FIELDS = ("requires_review", "requires_tooth", "requires_region", "requires_faces")
# a submission's statements, built once (ponte.sql)
PROCEDURES = sa.select(procedures).where(
    procedures.c.code.in_(sa.bindparam("codes", expanding=True)))
PROVIDER_NAME = sa.select(providers.c.legal_name).where(providers.c.id == sa.bindparam("provider"))
EXACT_FILTERS = ("provider_id", "status", "number", "protocol", "demand_group", "demand_type")
"""The desk's table's filters that are the column's value (``beneficiary`` is the CPF or the
card number, ``submitted_from``/``submitted_until`` the submission day)."""
# the submission's writes, sent with the statement after them (ponte.later)
REQUEST_INSERT = requests.insert()
ITEMS_INSERT = request_items.insert()
ATTACHMENTS_INSERT = attachments.insert()
INTERACTION_INSERT = interactions.insert()
CODE_INSERT = codes.insert()
NUMBERS = requests.update().where(requests.c.id == sa.bindparam("request")).values(
    number=sa.bindparam("number"), protocol=sa.bindparam("protocol"))


@functools.cache
def _requests_pager(filters: frozenset[str]) -> Pager:
    """The table's query for one set of filters, built once (``ponte.sql``)."""
    c = requests.c
    query = sa.select(c.id, c.provider_id, c.number, c.protocol, c.submitted_at, c.demand_group,
                      c.demand_type, c.beneficiary, c.status, c.due_at, c.created_at)
    for key in EXACT_FILTERS:
        if key in filters:
            query = query.where(c[key] == sa.bindparam(key))
    if "beneficiary" in filters:
        query = query.where(sa.or_(c.beneficiary_cpf == sa.bindparam("beneficiary"),
                                   c.beneficiary_card == sa.bindparam("beneficiary")))
    if "submitted_from" in filters:
        query = query.where(c.submitted_at >= sa.bindparam("submitted_from"),
                            c.submitted_at < sa.bindparam("submitted_until"))
    return Pager(query, [c.created_at, c.id])


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- catalogue ------------------------------------------------------------------------

    def procedures(self, codes_: Iterable[str]) -> dict[str, Procedure]:
        rows = self.session.execute(PROCEDURES, {"codes": sorted(set(codes_))}).mappings()
        return {row["code"]: _procedure(row) for row in rows}

    def procedure(self, code: str) -> Procedure | None:
        return self.procedures([code]).get(code)

    def add_procedure(self, procedure: Procedure, now: datetime) -> None:
        self.session.execute(procedures.insert().values(**_procedure_row(procedure, now)))

    def save_procedure(self, procedure: Procedure, now: datetime) -> None:
        self.session.execute(procedures.update().where(procedures.c.code == procedure.code)
                             .values(**_procedure_row(procedure, now)))

    @staticmethod
    def procedure_search(q: str | None) -> sa.Select:
        """By code prefix, or by every word of ``q`` in the name (accents and case ignored)."""
        query = sa.select(procedures)
        words = search_key(q or "").split()
        if words:
            named = [procedures.c.search_key.contains(word, autoescape=True) for word in words]
            query = query.where(sa.or_(procedures.c.code.startswith(q.strip(), autoescape=True),
                                       sa.and_(*named)))
        return query

    # -- requests -------------------------------------------------------------------------

    def add_request(self, request: AuthorizationRequest) -> None:
        write_later(self.session, REQUEST_INSERT, _request_row(request))
        self._insert_items(request.id, request.items, start=0)

    def request(self, request_id: str, lock: bool = False) -> AuthorizationRequest | None:
        query = sa.select(requests).where(requests.c.id == request_id)
        row = self.session.execute(query.with_for_update() if lock else query).mappings().first()
        if row is None:
            return None
        items = self.session.execute(
            sa.select(request_items).where(request_items.c.request_id == request_id)
            .order_by(request_items.c.position)).mappings()
        return _request(row, [_item(i) for i in items])

    def save_request(self, request: AuthorizationRequest) -> None:
        """Save the request and its items as they are now (the row was locked on load)."""
        self.session.execute(requests.update().where(requests.c.id == request.id)
                             .values(**_request_row(request)))
        stored = {row.id: row.position for row in self.session.execute(
            sa.select(request_items.c.id, request_items.c.position)
            .where(request_items.c.request_id == request.id))}
        current = {item.id for item in request.items}
        gone = set(stored) - current
        if gone:
            self.session.execute(request_items.delete().where(request_items.c.id.in_(gone)))
        for item in request.items:
            if item.id in stored:
                self.session.execute(request_items.update().where(request_items.c.id == item.id)
                                     .values(status=item.status,
                                             denial_reason=item.denial_reason))
        new = [item for item in request.items if item.id not in stored]
        self._insert_items(request.id, new, start=max(stored.values(), default=-1) + 1)

    def requests_page(self, given: dict[str, Any], limit: int, cursor: str | None) -> Page:
        """The desk's table: summaries, newest first, by the filters ``given`` (names of
        :data:`EXACT_FILTERS`, ``beneficiary``, ``submitted_from`` and ``submitted_until``)."""
        return _requests_pager(frozenset(given)).page(self.session, given, limit, cursor)

    def save_numbers(self, request: AuthorizationRequest) -> None:
        """Only the number and protocol, given after the rest of the submission was saved."""
        write_later(self.session, NUMBERS, {"request": request.id, "number": request.number,
                                            "protocol": request.protocol})

    def _insert_items(self, request_id: str, items: list[Item], start: int) -> None:
        if items:
            write_later(self.session, ITEMS_INSERT, [
                {"id": item.id, "request_id": request_id, "position": start + n,
                 "procedure_code": item.procedure_code, "quantity": item.quantity,
                 "tooth": item.tooth, "region": item.region, "faces": list(item.faces),
                 "status": item.status, "denial_reason": item.denial_reason}
                for n, item in enumerate(items)])

    def due_unnotified(self, now: datetime, limit: int = 100) -> list[AuthorizationRequest]:
        """Requests whose audit is overdue and not yet announced, locked so replicas of the
        timer each take different ones."""
        ids = self.session.execute(
            sa.select(requests.c.id).where(requests.c.status == "awaiting_audit",
                                           requests.c.due_at <= now,
                                           requests.c.overdue_notified.is_(False))
            .order_by(requests.c.due_at).limit(limit)
            .with_for_update(skip_locked=True)).scalars().all()
        return [self.request(request_id) for request_id in ids]

    # -- attachments and interactions --------------------------------------------------------

    def add_attachments(self, request_id: str, files: list[dict], attached_by: str,
                        now: datetime, interaction_id: str | None = None) -> None:
        if files:
            write_later(self.session, ATTACHMENTS_INSERT, [
                {"id": f["id"], "request_id": request_id, "interaction_id": interaction_id,
                 "filename": f["filename"], "content_type": f["content_type"],
                 "size": f["size"], "attached_by": attached_by, "created_at": now}
                for f in files])

    def attachments_of(self, request_id: str) -> list[dict]:
        return [dict(r) for r in self.session.execute(
            sa.select(attachments).where(attachments.c.request_id == request_id)
            .order_by(attachments.c.created_at, attachments.c.filename)).mappings()]

    def attachment(self, attachment_id: str) -> dict | None:
        row = self.session.execute(sa.select(attachments).where(
            attachments.c.id == attachment_id)).mappings().first()
        return dict(row) if row else None

    def add_interaction(self, request_id: str, interaction_id: str, kind: str, author_id: str,
                        side: str, message: str | None, now: datetime,
                        first: bool = False) -> dict:
        position = 0 if first else self.session.execute(
            sa.select(sa.func.coalesce(sa.func.max(interactions.c.position), -1) + 1)
            .where(interactions.c.request_id == request_id)).scalar_one()
        row = {"id": interaction_id, "request_id": request_id, "position": position,
               "kind": kind, "author_id": author_id, "author_side": side, "message": message,
               "created_at": now}
        write_later(self.session, INTERACTION_INSERT, row)
        return row

    def interactions_of(self, request_id: str) -> list[dict]:
        return [dict(r) for r in self.session.execute(
            sa.select(interactions).where(interactions.c.request_id == request_id)
            .order_by(interactions.c.position)).mappings()]

    # -- codes ----------------------------------------------------------------------------

    def add_code(self, code: AuthorizationCode) -> None:
        write_later(self.session, CODE_INSERT, dict(
            code=code.code, request_id=code.request_id, request_number=code.request_number,
            procedure_codes=list(code.procedure_codes), beneficiary=code.beneficiary,
            professional_document=code.professional_document, released_on=code.released_on,
            valid_until=code.valid_until, status=code.status))

    def code(self, code: str) -> AuthorizationCode | None:
        row = self.session.execute(sa.select(codes).where(codes.c.code == code)).mappings().first()
        return _code(row) if row else None

    def code_of(self, request_id: str) -> AuthorizationCode | None:
        row = self.session.execute(sa.select(codes).where(
            codes.c.request_id == request_id)).mappings().first()
        return _code(row) if row else None

    # -- payments and inquiries -----------------------------------------------------------

    def add_payment(self, row: dict[str, Any]) -> None:
        self.session.execute(payments.insert().values(**row))

    def payment(self, payment_id: str) -> dict | None:
        row = self.session.execute(sa.select(payments).where(
            payments.c.id == payment_id)).mappings().first()
        return dict(row) if row else None

    def add_inquiry(self, row: dict[str, Any]) -> None:
        self.session.execute(inquiries.insert().values(**row))

    def inquiry(self, inquiry_id: str, lock: bool = False) -> dict | None:
        query = sa.select(inquiries).where(inquiries.c.id == inquiry_id)
        row = self.session.execute(query.with_for_update() if lock else query).mappings().first()
        return dict(row) if row else None

    def set_inquiry_status(self, inquiry_id: str, status: str, now: datetime) -> None:
        self.session.execute(inquiries.update().where(inquiries.c.id == inquiry_id)
                             .values(status=status, updated_at=now))

    def add_inquiry_message(self, inquiry_id: str, row: dict[str, Any]) -> dict:
        position = self.session.execute(
            sa.select(sa.func.coalesce(sa.func.max(inquiry_messages.c.position), -1) + 1)
            .where(inquiry_messages.c.inquiry_id == inquiry_id)).scalar_one()
        row = {**row, "inquiry_id": inquiry_id, "position": position}
        self.session.execute(inquiry_messages.insert().values(**row))
        return row

    def inquiry_messages(self, inquiry_ids: Iterable[str]) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for row in self.session.execute(
                sa.select(inquiry_messages).where(inquiry_messages.c.inquiry_id.in_(
                    set(inquiry_ids))).order_by(inquiry_messages.c.position)).mappings():
            found.setdefault(row["inquiry_id"], []).append(dict(row))
        return found

    # -- read models of identity ------------------------------------------------------------

    def account_names(self, ids: Iterable[str]) -> dict[str, str | None]:
        rows = self.session.execute(sa.select(accounts.c.id, accounts.c.name).where(
            accounts.c.id.in_(set(ids))))
        return {row.id: row.name for row in rows}

    def save_account(self, account_id: str, now: datetime, **values: Any) -> None:
        self._upsert(accounts, account_id, {**values, "updated_at": now})

    def provider_name(self, provider_id: str) -> str | None:
        return self.session.execute(PROVIDER_NAME, {"provider": provider_id}).scalar()

    def save_provider(self, provider_id: str, legal_name: str, now: datetime) -> None:
        self._upsert(providers, provider_id, {"legal_name": legal_name, "updated_at": now})

    def _upsert(self, table: sa.Table, row_id: str, values: dict[str, Any]) -> None:
        updated = self.session.execute(table.update().where(table.c.id == row_id).values(**values))
        if not updated.rowcount:
            try:
                with self.session.begin_nested():
                    self.session.execute(table.insert().values(id=row_id, **values))
            except sa.exc.IntegrityError:  # inserted concurrently: update that row instead
                self.session.execute(table.update().where(table.c.id == row_id).values(**values))


def _procedure(row: Any) -> Procedure:
    return Procedure(code=row["code"], name=row["name"],
                     **{name: bool(row[name]) for name in PROCEDURE_FIELDS})


def _procedure_row(procedure: Procedure, now: datetime) -> dict[str, Any]:
    return {"code": procedure.code, "name": procedure.name,
            "search_key": search_key(procedure.name), "updated_at": now,
            **{name: getattr(procedure, name) for name in PROCEDURE_FIELDS}}


def _request_row(request: AuthorizationRequest) -> dict[str, Any]:
    beneficiary = request.beneficiary
    return {"id": request.id, "provider_id": request.provider_id, "number": request.number,
            "protocol": request.protocol, "status": request.status,
            "demand_group": request.demand_group, "demand_type": request.demand_type,
            "contact": request.contact, "professional_document": request.professional_document,
            "beneficiary": beneficiary, "beneficiary_cpf": beneficiary.get("cpf"),
            "beneficiary_card": normalise_identifier(beneficiary.get("card_number")) or None,
            "observations": request.observations, "created_by": request.created_by,
            "created_at": request.created_at, "submitted_at": request.submitted_at,
            "due_at": request.due_at, "decided_at": request.decided_at,
            "justification": request.justification, "cancel_reason": request.cancel_reason,
            "overdue_notified": request.overdue_notified, "appeals": request.appeals,
            "appointment_id": request.appointment_id}


def _request(row: Any, items: list[Item]) -> AuthorizationRequest:
    fields = {name: row[name] for name in (
        "id", "provider_id", "number", "protocol", "status", "demand_group", "demand_type",
        "contact", "professional_document", "beneficiary", "observations", "created_by",
        "created_at", "submitted_at", "due_at", "decided_at", "justification", "cancel_reason",
        "appeals", "appointment_id")}
    return AuthorizationRequest(items=items, overdue_notified=bool(row["overdue_notified"]),
                                **fields)


def _item(row: Any) -> Item:
    return Item(id=row["id"], procedure_code=row["procedure_code"], quantity=row["quantity"],
                tooth=row["tooth"], region=row["region"], faces=tuple(row["faces"] or ()),
                status=row["status"], denial_reason=row["denial_reason"])


def _code(row: Any) -> AuthorizationCode:
    return AuthorizationCode(code=row["code"], request_id=row["request_id"],
                             request_number=row["request_number"],
                             procedure_codes=tuple(row["procedure_codes"]),
                             beneficiary=row["beneficiary"],
                             professional_document=row["professional_document"],
                             released_on=row["released_on"], status=row["status"])
