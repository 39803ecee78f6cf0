"""The one rule "may account A act for provider P with role R" gives the same answer at the edge
and in the relationships service, for every kind of caller and every role of ``ponte.roles``.

The gateway side runs ``Call.require_provider_role`` with the grants the relationships service
answers (``acting_for``); the service side runs the check its RPCs make. Both read the same
relationships from a real (SQLite) relationships database."""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.api import Call
from gateway.auth import Principal
from gateway.permissions import Permissions
from ponte.caller import Caller
from ponte.errors import PonteError
from ponte.roles import PROVIDER_ROLES, STAFF_ROLES
from ponte.tokens import AccessClaims
from services.relationships import usecases
from services.relationships.domain.relationships import Relationship
from services.relationships.models import metadata
from services.relationships.repository import Repository
from services.relationships.usecases import Ctx, require
from services.relationships.usecases.relationships import acting_for

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
PROVIDER, OTHER_PROVIDER = "prov-p", "prov-q"
ROLE_SETS = [frozenset(c) for n in range(1, len(PROVIDER_ROLES) + 1)
             for c in itertools.combinations(PROVIDER_ROLES, n)]


class _Database:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self):
        with Session(self.engine) as session, session.begin():
            yield SimpleNamespace(session=session, publish=lambda *_: None)


def _callers() -> list[tuple[str, dict, list[Relationship]]]:
    """(label, caller context, that caller's relationships) covering the whole role table."""
    def rel(secretary: str, roles, provider: str = PROVIDER, **kw) -> Relationship:
        return Relationship(provider, secretary, tuple(r for r in PROVIDER_ROLES if r in roles),
                            started_at=NOW - timedelta(days=10), **kw)

    cases = [("own provider login", {"kind": "provider", "provider_id": PROVIDER}, []),
             ("another provider's login", {"kind": "provider", "provider_id": OTHER_PROVIDER},
              []),
             ("secretary without relationships", {"kind": "secretary"}, []),
             ("secretary of another provider", {"kind": "secretary"},
              [rel("{id}", PROVIDER_ROLES, OTHER_PROVIDER)]),
             ("secretary whose relationship ended", {"kind": "secretary"},
              [rel("{id}", PROVIDER_ROLES, status="ended", ends_at=NOW - timedelta(days=1))]),
             ("secretary whose relationship is past its end", {"kind": "secretary"},
              [rel("{id}", PROVIDER_ROLES, ends_at=NOW - timedelta(minutes=1))]),
             ("citizen", {"kind": "citizen"}, [])]
    cases += [(f"staff {role}", {"kind": "staff", "roles": [role]}, []) for role in STAFF_ROLES]
    cases += [(f"secretary holding {'+'.join(sorted(roles))}", {"kind": "secretary"},
               [rel("{id}", roles)]) for roles in ROLE_SETS]
    out = []
    for number, (label, context, relationships) in enumerate(cases):
        account_id = f"acc-{number}"
        for relationship in relationships:
            relationship.secretary_id = account_id
            relationship.id = f"rel-{number}"
        out.append((label, {"account_id": account_id, "roles": [], "provider_id": None,
                            "session_id": "s", **context}, relationships))
    return out


CALLERS = _callers()


@pytest.fixture(scope="module")
def service():
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        repo = Repository(session)
        repo.save_provider(PROVIDER, "Clínica P", NOW)
        repo.save_provider(OTHER_PROVIDER, "Clínica Q", NOW)
        for _label, context, relationships in CALLERS:
            if context["kind"] == "secretary":
                repo.save_secretary(context["account_id"], NOW, name="S", email="s@x.test")
            for relationship in relationships:
                repo.add_relationship(relationship)
    return usecases.context(_Database(engine), lambda: NOW)


def _outcome(check) -> tuple:
    try:
        return ("allowed", tuple(sorted(check())))
    except PonteError as refusal:
        return (type(refusal).__name__, str(refusal))


def _at_the_gateway(service: Ctx, context: dict, role: str | None) -> tuple:
    claims = AccessClaims(context["account_id"], context["kind"], "s", 0, 0,
                          tuple(context["roles"]), context["provider_id"])

    def rpc(name: str, method: str, account_id: str):
        assert (name, method) == ("relationships", "acting_for")
        return acting_for(service, account_id)

    permissions = Permissions()
    permissions.setup()
    call = Call(request=None, params={}, body={}, query={}, principal=Principal(claims),
                services=rpc, gateway=SimpleNamespace(permissions=permissions))
    return _outcome(lambda: permissions.require(call, PROVIDER, (role,) if role else ()))


def _in_the_service(service: Ctx, context: dict, role: str | None) -> tuple:
    with service.unit() as unit:
        return _outcome(lambda: require(unit.repo, Caller.of(context), PROVIDER, NOW,
                                        role))


@pytest.mark.parametrize("role", [None, *PROVIDER_ROLES])
@pytest.mark.parametrize("label, context, relationships", CALLERS,
                         ids=[label for label, _, _ in CALLERS])
def test_the_gateway_and_the_service_agree(service, label, context, relationships, role):
    edge = _at_the_gateway(service, context, role)
    assert edge == _in_the_service(service, context, role)
    # and the answer is the one of the table in README "Acting for a provider"
    held = (frozenset(PROVIDER_ROLES) if label == "own provider login"
            else next((frozenset(r.roles) for r in relationships
                       if r.provider_id == PROVIDER and r.is_active(NOW)), None))
    if held is not None and (role is None or role in held):
        assert edge == ("allowed", tuple(sorted(held)))
    elif held is not None or context["kind"] == "secretary":
        assert edge[0] == "Forbidden"
    else:
        assert edge == ("NotFound", "No such provider.")
