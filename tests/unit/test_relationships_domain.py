"""The rules of invitations and relationships (000 "Relacionamentos", "Vinculação ao Prestador"),
as tables, with time passed in: no clock, no database, no nameko."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ponte.caller import Caller
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from ponte.roles import PROVIDER_ROLES as ROLES
from services.relationships.domain.acting import require_roles, roles_for
from services.relationships.domain.invitations import Invitation
from services.relationships.domain.relationships import (
    Relationship,
    end_of_day,
    local_today,
    validate_roles,
)

UTC = UTC
# 2026-03-10 23:30 in Sao Paulo (UTC-3) is already 2026-03-11 in UTC
NOW = datetime(2026, 3, 11, 2, 30, tzinfo=UTC)
PROVIDER, SECRETARY, OTHER = "prov-1", "sec-1", "sec-2"


def invitation(status: str = "pending", roles: tuple[str, ...] = ("billing",)) -> Invitation:
    inv = Invitation.send(PROVIDER, SECRETARY, roles, NOW - timedelta(days=1))
    inv.status = status
    return inv


def relationship(status: str = "active", ends_at: datetime | None = None,
                 roles: tuple[str, ...] = ("billing",)) -> Relationship:
    return Relationship(PROVIDER, SECRETARY, roles, started_at=NOW - timedelta(days=30),
                        ends_at=ends_at, status=status)


# -- roles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    (["billing"], ("billing",)),
    (["manage_relationships", "authorizations"], ("authorizations", "manage_relationships")),
    (["commercial", "commercial"], ("commercial",)),
    (list(ROLES), ROLES),
])
def test_roles_are_a_non_empty_subset_in_canonical_order(given, expected):
    assert validate_roles(given) == expected


@pytest.mark.parametrize("given", [[], None, ["admin"], ["billing", "finance"], ["Billing"]])
def test_empty_or_unknown_roles_are_invalid_input_on_roles(given):
    with pytest.raises(InvalidInput) as error:
        validate_roles(given)
    assert "roles" in error.value.errors


def test_an_invitation_without_roles_is_refused():
    with pytest.raises(InvalidInput):
        Invitation.send(PROVIDER, SECRETARY, [], NOW)


# -- invitation state machine --------------------------------------------------------------

def _accept(inv: Invitation) -> None:
    inv.accept(None, NOW)


TRANSITIONS = {"accept": _accept, "decline": lambda inv: inv.decline(NOW),
               "cancel": lambda inv: inv.cancel(NOW)}


@pytest.mark.parametrize("start, action, end", [
    ("pending", "accept", "accepted"),
    ("pending", "decline", "declined"),
    ("pending", "cancel", "cancelled"),
    *[(start, action, None) for start in ("accepted", "declined", "cancelled")
      for action in ("accept", "decline", "cancel")],
])
def test_an_invitation_is_answered_only_while_pending(start, action, end):
    inv = invitation(start)
    if end is None:
        with pytest.raises(Conflict):
            TRANSITIONS[action](inv)
        assert inv.status == start and inv.decided_at is None
    else:
        TRANSITIONS[action](inv)
        assert inv.status == end and inv.decided_at == NOW


def test_accepting_starts_an_active_relationship_with_the_invitation_roles():
    inv = invitation(roles=("authorizations", "commercial"))
    rel = inv.accept(None, NOW)
    assert (rel.status, rel.roles, rel.started_at) == ("active", inv.roles, NOW)
    assert (rel.provider_id, rel.secretary_id, rel.invitation_id) == (PROVIDER, SECRETARY, inv.id)
    assert rel.until is None and rel.ends_at is None and rel.is_active(NOW + timedelta(days=9999))


# -- "until" must be in the future, in Sao Paulo time --------------------------------------

@pytest.mark.parametrize("until, valid", [
    (date(2026, 3, 9), False),
    (date(2026, 3, 10), False),  # today in Sao Paulo, although UTC is already on the 11th
    (date(2026, 3, 11), True),   # tomorrow in Sao Paulo
    (date(2027, 1, 1), True),
])
def test_until_must_be_after_today_in_sao_paulo(until, valid):
    assert local_today(NOW) == date(2026, 3, 10)
    inv = invitation()
    if valid:
        rel = inv.accept(until, NOW)
        assert rel.until == until and rel.ends_at == end_of_day(until)
    else:
        with pytest.raises(InvalidInput) as error:
            inv.accept(until, NOW)
        assert "until" in error.value.errors and inv.status == "pending"


def test_accepting_an_answered_invitation_is_a_conflict_even_with_a_bad_date():
    with pytest.raises(Conflict):
        invitation("declined").accept(date(2000, 1, 1), NOW)


def test_a_relationship_ends_at_the_midnight_after_its_last_day_in_sao_paulo():
    assert end_of_day(date(2026, 3, 11)) == datetime(2026, 3, 12, 3, 0, tzinfo=UTC)


# -- relationship state machine ------------------------------------------------------------

LATER = NOW + timedelta(days=1)


@pytest.mark.parametrize("start, ends_at, action, end", [
    ("active", None, "end", "ended"),
    ("active", LATER, "end", "ended"),
    ("active", NOW, "expire", "expired"),
    ("active", NOW - timedelta(seconds=1), "expire", "expired"),
    ("active", LATER, "expire", None),           # not due yet
    ("active", None, "expire", None),            # indefinite: never expires
    ("active", NOW, "end", None),                # already past its end: expired, not ended
    ("active", NOW, "change_roles", None),
    ("active", LATER, "change_roles", "active"),
    *[(start, None, action, None) for start in ("ended", "expired")
      for action in ("end", "expire", "change_roles")],
])
def test_a_relationship_moves_only_along_its_state_table(start, ends_at, action, end):
    rel = relationship(start, ends_at)
    act = {"end": lambda: rel.end(NOW, "provider"), "expire": lambda: rel.expire(NOW),
           "change_roles": lambda: rel.change_roles(["commercial"], NOW)}[action]
    if end is None:
        with pytest.raises(Conflict):
            act()
        assert rel.status == start
    else:
        act()
        assert rel.status == end


def test_ending_records_when_and_by_whom():
    rel = relationship()
    rel.end(NOW, "secretary")
    assert (rel.status, rel.ends_at, rel.ended_by) == ("ended", NOW, "secretary")


def test_changing_roles_returns_the_previous_ones_and_validates():
    rel = relationship(roles=("billing",))
    assert rel.change_roles(["commercial", "billing"], NOW) == ("billing",)
    assert rel.roles == ("billing", "commercial")
    with pytest.raises(InvalidInput):
        rel.change_roles([], NOW)


# -- expiry with a controllable clock ------------------------------------------------------

class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def test_a_relationship_reads_as_expired_as_soon_as_its_last_day_is_over():
    clock = Clock(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))   # noon in Sao Paulo
    rel = invitation().accept(date(2026, 3, 11), clock.now)
    assert rel.status_at(clock.advance(hours=24)) == "active"  # noon of the last day
    assert rel.status_at(clock.advance(hours=11, minutes=59)) == "active"  # 23:59 local
    assert rel.status_at(clock.advance(minutes=1)) == "expired"  # midnight local
    assert rel.status == "active"  # recorded only by the job
    rel.expire(clock.now)
    assert rel.status == rel.status_at(clock.now) == "expired"


# -- who may act for a provider ------------------------------------------------------------

PROVIDER_LOGIN = Caller("acc-p", "provider", provider_id=PROVIDER)
SECRETARY_CALLER = Caller(SECRETARY, "secretary")


@pytest.mark.parametrize("caller, relationships, expected", [
    (PROVIDER_LOGIN, [], frozenset(ROLES)),
    (Caller("acc-q", "provider", provider_id="prov-2"), [], None),
    (SECRETARY_CALLER, [relationship(roles=("billing",))], frozenset({"billing"})),
    (SECRETARY_CALLER, [relationship("ended")], None),
    (SECRETARY_CALLER, [relationship(ends_at=NOW)], None),   # expired on read
    (Caller(OTHER, "secretary"), [relationship()], None),
    (Caller("acc-s", "staff"), [relationship()], None),
])
def test_only_the_provider_and_its_active_secretaries_hold_roles(caller, relationships, expected):
    assert roles_for(caller, PROVIDER, relationships, NOW) == expected


@pytest.mark.parametrize("caller, role, error", [
    (PROVIDER_LOGIN, "manage_relationships", None),
    (SECRETARY_CALLER, "billing", None),
    (SECRETARY_CALLER, None, None),
    (SECRETARY_CALLER, "manage_relationships", Forbidden),
    (Caller(OTHER, "secretary"), "billing", Forbidden),
    (Caller("acc-q", "provider", provider_id="prov-2"), "billing", NotFound),
    (Caller("acc-c", "citizen"), None, NotFound),
])
def test_require_roles_refuses_like_the_edge(caller, role, error):
    rels = [relationship(roles=("billing",))]
    if error is None:
        assert require_roles(caller, PROVIDER, rels, NOW, role)
    else:
        with pytest.raises(error):
            require_roles(caller, PROVIDER, rels, NOW, role)


# -- the gateway's cache of the rule -------------------------------------------------------

class _Principal:
    kind, account_id, provider_id = "secretary", SECRETARY, None


class _Call:
    """Stands in for gateway.api.Call: answers acting_for, optionally while a change lands."""

    principal = _Principal()

    def __init__(self, answers: list[list[dict]], during=None) -> None:
        self.answers, self.during, self.asked = answers, during, 0

    def rpc(self, service: str, method: str, account_id: str) -> list[dict]:
        assert (service, method, account_id) == ("relationships", "acting_for", SECRETARY)
        self.asked += 1
        if self.during:
            self.during()
        return self.answers.pop(0)


def _permissions():
    from gateway.permissions import Permissions
    permissions = Permissions()
    permissions.setup()
    return permissions


GRANT = [{"provider_id": PROVIDER, "legal_name": "Clínica", "roles": ["billing"]}]


def test_grants_are_cached_until_a_change_is_announced():
    permissions = _permissions()
    call = _Call([GRANT, []])
    assert permissions.grants(call) == GRANT and permissions.grants(call) == GRANT
    assert call.asked == 1
    permissions.forget(SECRETARY)
    assert permissions.grants(call) == [] and call.asked == 2


def test_an_answer_read_before_a_change_is_not_cached_after_it():
    permissions = _permissions()
    racing = _Call([GRANT], during=lambda: permissions.forget(SECRETARY))
    assert permissions.grants(racing) == GRANT   # that request saw the old state
    after = _Call([[]])
    assert permissions.grants(after) == [] and after.asked == 1
