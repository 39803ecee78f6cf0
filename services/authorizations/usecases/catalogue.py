"""Demand types and the procedure catalogue (the operator maintains it)."""
from __future__ import annotations

from typing import Any

from ponte.db import conflict_on_duplicate
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from ponte.pagination import page
from ponte.roles import OPERATOR
from services.authorizations.domain.actors import Actor
from services.authorizations.domain.catalogue import CODE, DEMAND_TYPES, Procedure
from services.authorizations.models import procedures
from services.authorizations.repository import PROCEDURE_FIELDS, Repository, _procedure
from services.authorizations.usecases import Context
from services.authorizations.views import procedure_view


def demand_types() -> dict[str, Any]:
    return {"items": [dict(d) for d in DEMAND_TYPES], "next_cursor": None}


def list_procedures(ctx: Context, q: str | None, limit: int, cursor: str | None) -> dict:
    with ctx.db.read() as session:
        rows, next_cursor = page(session, Repository.procedure_search(q), [procedures.c.code],
                                 limit, cursor, descending=False)
    return {"items": [procedure_view(_procedure(r)) for r in rows], "next_cursor": next_cursor}


def _require_operator(actor: Actor) -> None:
    if not actor.is_staff(OPERATOR):
        raise Forbidden("Only the operator maintains the procedure catalogue.")


def create_procedure(ctx: Context, actor: Actor, data: dict[str, Any]) -> dict:
    _require_operator(actor)
    code = str(data.get("code") or "")
    if not CODE.fullmatch(code):
        raise InvalidInput("A procedure code has 8 digits.", {"code": ["Must be 8 digits."]})
    procedure = Procedure(code=code, name=str(data["name"]).strip(),
                          **{f: bool(data.get(f, False)) for f in PROCEDURE_FIELDS})
    detail = f"Procedure {code} already exists."
    with conflict_on_duplicate(detail, {"code": [detail]}), ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        if repo.procedure(code) is not None:
            raise Conflict(detail, {"code": [detail]})
        repo.add_procedure(procedure, ctx.now)
    return procedure_view(procedure)


def update_procedure(ctx: Context, actor: Actor, code: str, changes: dict[str, Any]) -> dict:
    _require_operator(actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        procedure = repo.procedure(code)
        if procedure is None:
            raise NotFound("No such procedure.")
        if changes.get("name") is not None:
            procedure.name = str(changes["name"]).strip()
        for name in PROCEDURE_FIELDS:
            if changes.get(name) is not None:
                setattr(procedure, name, bool(changes[name]))
        repo.save_procedure(procedure, ctx.now)
    return procedure_view(procedure)
