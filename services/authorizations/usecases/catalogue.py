"""Demand types and the procedure catalogue (the operator maintains it)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ponte.db import conflict_on_duplicate
from ponte.errors import Conflict, Forbidden, NotFound
from ponte.pagination import page
from ponte.roles import OPERATOR
from ponte.service_layer import Context
from services.authorizations.domain.catalogue import DEMAND_TYPES, Procedure
from services.authorizations.models import procedures
from services.authorizations.repository import PROCEDURE_FIELDS, Repository, _procedure
from services.authorizations.usecases.callers import identify
from services.authorizations.views import procedure_view


def demand_types() -> dict[str, Any]:
    return {"items": [dict(d) for d in DEMAND_TYPES], "next_cursor": None}


def list_procedures(ctx: Context, q: str | None, limit: int, cursor: str | None) -> dict:
    with ctx.reading() as uow:
        rows, next_cursor = page(uow.repo.session, Repository.procedure_search(q),
                                 [procedures.c.code], limit, cursor, descending=False)
    return {"items": [procedure_view(_procedure(r)) for r in rows], "next_cursor": next_cursor}


def _require_operator(ctx: Context, caller: Mapping[str, Any]) -> None:
    if not identify(ctx, caller).has_staff_role(OPERATOR):
        raise Forbidden("Only the operator maintains the procedure catalogue.")


def create_procedure(ctx: Context, caller: Mapping[str, Any], data: dict[str, Any]) -> dict:
    """A new 8-digit code (its shape checked at the edge); 409 if it exists."""
    _require_operator(ctx, caller)
    code = str(data["code"])
    procedure = Procedure(code=code, name=str(data["name"]).strip(),
                          **{f: bool(data.get(f, False)) for f in PROCEDURE_FIELDS})
    detail = f"Procedure {code} already exists."
    with conflict_on_duplicate(detail, {"code": [detail]}), ctx.unit() as uow:
        if uow.repo.procedure(code) is not None:
            raise Conflict(detail, {"code": [detail]})
        uow.repo.add_procedure(procedure, ctx.clock())
    return procedure_view(procedure)


def update_procedure(ctx: Context, caller: Mapping[str, Any], code: str,
                     changes: dict[str, Any]) -> dict:
    _require_operator(ctx, caller)
    with ctx.unit() as uow:
        procedure = uow.repo.procedure(code)
        if procedure is None:
            raise NotFound("No such procedure.")
        if changes.get("name") is not None:
            procedure.name = str(changes["name"]).strip()
        for name in PROCEDURE_FIELDS:
            if changes.get(name) is not None:
                setattr(procedure, name, bool(changes[name]))
        uow.repo.save_procedure(procedure, ctx.clock())
    return procedure_view(procedure)
