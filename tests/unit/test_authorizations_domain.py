"""The rules of the authorization desk (001, 003) as tables, with time passed in: the request
state machine, numbers and protocols, what an item needs, code validity, money."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ponte import calendar
from ponte.caller import Caller
from ponte.contracts.authorizations import TEETH
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.authorizations.domain.callers import may_see, require_sees, side
from services.authorizations.domain.catalogue import (
    DEMAND_TYPES,
    Procedure,
    demand_type_errors,
    face_fits_tooth,
    search_key,
)
from services.authorizations.domain.codes import (
    ALPHABET,
    AuthorizationCode,
    new_code,
    normalise_code,
    valid_until,
)
from services.authorizations.domain.money import parse_amount, withheld
from services.authorizations.domain.requests import (
    AuthorizationRequest,
    Item,
    item_errors,
    protocol_number,
    request_number,
)

UTC = UTC
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
DUE = NOW + timedelta(days=1)
CONSULTATION = Procedure("81000065", "Consulta odontológica inicial")
XRAY = Procedure("81000421", "Radiografia periapical", requires_tooth=True)
RESIN = Procedure("85100200", "Restauração em resina – 2 faces", requires_tooth=True,
                  requires_faces=True)
CANAL = Procedure("85200034", "Tratamento endodôntico", requires_review=True,
                  requires_tooth=True)
ORTHO = Procedure("87000016", "Aparelho ortodôntico fixo", requires_review=True,
                  requires_region=True)
CATALOGUE = {p.code: p for p in (CONSULTATION, XRAY, RESIN, CANAL, ORTHO)}


# -- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("sequence, expected", [
    (1, "00000001"), (220071, "00220071"), (99_999_999, "99999999")])
def test_request_numbers_are_eight_digits(sequence, expected):
    assert request_number(sequence) == expected


@pytest.mark.parametrize("sequence", [0, -1, 100_000_000])
def test_request_numbers_out_of_range_are_refused(sequence):
    with pytest.raises(ValueError):
        request_number(sequence)


@pytest.mark.parametrize("ans, day, sequence, expected", [
    ("324477", date(2021, 6, 4), 50216, "32447720210604050216"),  # the manual's own (001)
    ("000000", date(2026, 12, 31), 1, "00000020261231000001"),
    ("324477", date(2027, 1, 1), 999_999, "32447720270101999999"),
])
def test_protocols_are_ans_code_local_date_and_daily_sequence(ans, day, sequence, expected):
    protocol = protocol_number(ans, day, sequence)
    assert protocol == expected and len(protocol) == 20


@pytest.mark.parametrize("ans, sequence", [("32447", 1), ("32447A", 1), ("324477", 0),
                                           ("324477", 1_000_000)])
def test_protocols_refuse_what_does_not_fit(ans, sequence):
    with pytest.raises(ValueError):
        protocol_number(ans, date(2026, 12, 1), sequence)


# -- what an item needs ---------------------------------------------------------------------

@pytest.mark.parametrize("item, errors", [
    ({"procedure_code": "81000065", "quantity": 1}, set()),
    ({"procedure_code": "81000421", "quantity": 1, "tooth": 46}, set()),
    ({"procedure_code": "85100200", "quantity": 1, "tooth": 36, "faces": ["O", "M"]}, set()),
    ({"procedure_code": "85100200", "quantity": 1, "tooth": 11, "faces": ["I", "P"]}, set()),
    ({"procedure_code": "87000016", "quantity": 1, "region": "AS"}, set()),
    ({"procedure_code": "00000000", "quantity": 1}, {"items.0.procedure_code"}),
    ({"procedure_code": "81000421", "quantity": 1}, {"items.0.tooth"}),
    ({"procedure_code": "81000065", "quantity": 1, "tooth": 11}, {"items.0.tooth"}),
    ({"procedure_code": "81000065", "quantity": 1, "region": "AS"}, {"items.0.region"}),
    ({"procedure_code": "81000065", "quantity": 1, "faces": ["O"]}, {"items.0.faces"}),
    ({"procedure_code": "85100200", "quantity": 1, "tooth": 36}, {"items.0.faces"}),
    ({"procedure_code": "85100200", "quantity": 1, "faces": ["O"]}, {"items.0.tooth"}),
    ({"procedure_code": "85100200", "quantity": 1, "tooth": 36, "faces": ["P"]},
     {"items.0.faces"}),  # palatal is an upper-tooth face
    ({"procedure_code": "85100200", "quantity": 1, "tooth": 16, "faces": ["L"]},
     {"items.0.faces"}),  # lingual is a lower-tooth face
    ({"procedure_code": "85100200", "quantity": 1, "tooth": 21, "faces": ["O"]},
     {"items.0.faces"}),  # incisors have an incisal edge, not an occlusal face
    ({"procedure_code": "87000016", "quantity": 1}, {"items.0.region"}),
    ({"procedure_code": "87000016", "quantity": 1, "region": "AS", "tooth": 11},
     {"items.0.tooth"}),
])
def test_an_item_gives_what_its_procedure_needs_and_nothing_else(item, errors):
    assert set(item_errors([item], CATALOGUE)) == errors


def test_errors_name_the_item_by_position():
    items = [{"procedure_code": "81000065", "quantity": 1},
             {"procedure_code": "81000421", "quantity": 1}]
    assert set(item_errors(items, CATALOGUE)) == {"items.1.tooth"}
    assert set(item_errors(items[1:], CATALOGUE, prefix="")) == {"tooth"}


@pytest.mark.parametrize("face, tooth, fits", [
    ("P", 11, True), ("P", 65, True), ("P", 31, False), ("L", 46, True), ("L", 26, False),
    ("I", 13, True), ("I", 14, False), ("O", 48, True), ("O", 83, False), ("M", 83, True),
    ("V", 55, True), ("D", 18, True)])
def test_faces_fit_teeth(face, tooth, fits):
    assert face_fits_tooth(face, tooth) is fits


def test_fdi_teeth_are_the_permanent_and_deciduous_sets():
    assert len(TEETH) == 32 + 20
    assert {11, 18, 48, 51, 55, 85} <= set(TEETH)
    assert not {10, 19, 56, 86, 90, 0} & set(TEETH)


@pytest.mark.parametrize("group, kind, fields", [
    ("rede_credenciada_movimentacoes", "odontologia_solic_proced_ambulatoriais", set()),
    ("rede_credenciada_movimentacoes", "internacao", {"demand_type"}),
    ("nenhum", "internacao", {"demand_group"}),
])
def test_a_demand_type_belongs_to_its_group(group, kind, fields):
    assert set(demand_type_errors(group, kind)) == fields
    assert all({"group", "type", "label"} <= set(d) for d in DEMAND_TYPES)


def test_search_ignores_accents_and_case():
    assert search_key("Restauração ÓCLUSAL") == "restauracao oclusal"


# -- the request state machine ----------------------------------------------------------------

def new_request(*codes: str, status: str | None = None) -> AuthorizationRequest:
    request = AuthorizationRequest(
        provider_id="prov-1", demand_group="rede_credenciada_movimentacoes",
        demand_type="odontologia_solic_proced_ambulatoriais", contact={},
        professional_document="12345678909", beneficiary={"cpf": "52998224725"},
        created_by="acc-1", created_at=NOW - timedelta(hours=1))
    for code in codes:
        tooth = 11 if CATALOGUE[code].requires_tooth else None
        request.add_item(Item(code, 1, tooth=tooth))
    if status in ("awaiting_audit", "authorized", "partially_authorized", "denied"):
        review = status != "authorized"
        request.submit(NOW, review, DUE if review else None)
        request.assign_numbers("00000001", "32447720261201000001")
        if status in ("partially_authorized", "denied"):
            first = request.items[0].id
            decisions = {first: True} if status == "partially_authorized" else None
            request.decide(status, decisions, "motivo", NOW)
    elif status == "cancelled":
        request.cancel("desistência", NOW)
    return request


def _add(r: AuthorizationRequest) -> None:
    r.add_item(Item("81000065", 1))


def _remove(r: AuthorizationRequest) -> None:
    r.remove_item(r.items[0].id)


def _submit(r: AuthorizationRequest) -> None:
    r.submit(NOW, True, DUE)


def _authorize(r: AuthorizationRequest) -> None:
    r.decide("authorized", None, None, NOW)


def _deny(r: AuthorizationRequest) -> None:
    r.decide("denied", None, "sem cobertura", NOW)


def _appeal(r: AuthorizationRequest) -> None:
    r.appeal("segue justificativa", NOW, DUE)


def _cancel(r: AuthorizationRequest) -> None:
    r.cancel("desistência", NOW)


ACTIONS = {"add": _add, "remove": _remove, "submit": _submit, "authorize": _authorize,
           "deny": _deny, "appeal": _appeal, "cancel": _cancel}
# (state, action) → state after, or the error it raises
TABLE = [
    ("draft", "add", "draft"), ("draft", "remove", "draft"), ("draft", "submit", "awaiting_audit"),
    ("draft", "authorize", Conflict), ("draft", "deny", Conflict), ("draft", "appeal", Conflict),
    ("draft", "cancel", "cancelled"),
    ("awaiting_audit", "add", Conflict), ("awaiting_audit", "remove", Conflict),
    ("awaiting_audit", "submit", Conflict), ("awaiting_audit", "authorize", "authorized"),
    ("awaiting_audit", "deny", "denied"), ("awaiting_audit", "appeal", Conflict),
    ("awaiting_audit", "cancel", "cancelled"),
    *[(state, action, Conflict) for state in ("authorized", "partially_authorized")
      for action in ("add", "remove", "submit", "authorize", "deny", "appeal", "cancel")],
    ("denied", "add", Conflict), ("denied", "submit", Conflict),
    ("denied", "authorize", Conflict), ("denied", "appeal", "awaiting_audit"),
    ("denied", "cancel", Conflict),
    *[("cancelled", action, Conflict) for action in ACTIONS],
]


@pytest.mark.parametrize("state, action, outcome", TABLE)
def test_a_request_moves_only_along_its_state_table(state, action, outcome):
    request = new_request("85200034", "85200034", status=state)
    assert request.status == state
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            ACTIONS[action](request)
        assert request.status == state
    else:
        ACTIONS[action](request)
        assert request.status == outcome


def test_submission_without_review_authorizes_every_item_at_once():
    request = new_request("81000065", "81000421")
    assert not request.needs_review(CATALOGUE)
    request.submit(NOW, False, None)
    assert request.status == "authorized" and request.decided_at == NOW
    assert request.due_at is None
    assert [i.status for i in request.items] == ["authorized", "authorized"]


def test_one_item_needing_review_sends_the_whole_request_to_audit():
    request = new_request("81000065", "85200034")
    assert request.needs_review(CATALOGUE)
    request.submit(NOW, True, DUE)
    assert (request.status, request.due_at, request.decided_at) == ("awaiting_audit", DUE, None)
    assert [i.status for i in request.items] == ["pending", "pending"]


@pytest.mark.parametrize("review", [False, True])
def test_a_submitted_request_is_numbered_once(review):
    request = new_request("85200034" if review else "81000065")
    with pytest.raises(Conflict):
        request.assign_numbers("00000005", "32447720261201000005")  # a draft has no number
    request.submit(NOW, review, DUE if review else None)
    request.assign_numbers("00000005", "32447720261201000005")
    assert (request.number, request.protocol) == ("00000005", "32447720261201000005")
    with pytest.raises(Conflict):
        request.assign_numbers("00000006", "32447720261201000006")
    assert (request.number, request.protocol) == ("00000005", "32447720261201000005")


def test_an_empty_draft_cannot_be_submitted():
    with pytest.raises(InvalidInput) as error:
        new_request().check_submittable()
    assert "items" in error.value.errors


def test_removing_an_unknown_item_is_not_found():
    with pytest.raises(NotFound):
        new_request("81000065").remove_item("nope")


@pytest.mark.parametrize("outcome, decisions, justification, statuses, error", [
    ("authorized", None, None, ["authorized", "authorized"], None),
    ("authorized", {0: True}, "", ["authorized", "authorized"], None),
    ("denied", None, "sem cobertura", ["denied", "denied"], None),
    ("denied", None, "  ", None, "justification"),
    ("denied", {0: True}, "x", None, "items"),
    ("partially_authorized", {0: True, 1: False}, "x", ["authorized", "denied"], None),
    ("partially_authorized", {1: True}, "x", ["denied", "authorized"], None),  # unlisted: denied
    ("partially_authorized", {0: True, 1: True}, "x", None, "items"),
    ("partially_authorized", {}, "x", None, "items"),
    ("partially_authorized", {0: True}, None, None, "justification"),
    ("approved", None, "x", None, "outcome"),
])
def test_a_decision_sets_items_or_is_refused(outcome, decisions, justification, statuses, error):
    request = new_request("85200034", "85200034",
                          status="awaiting_audit")
    ids = [item.id for item in request.items]
    given = {ids[i]: v for i, v in (decisions or {}).items()} if decisions is not None else None
    if error:
        with pytest.raises(InvalidInput) as raised:
            request.decide(outcome, given, justification, NOW)
        assert error in raised.value.errors
        assert request.status == "awaiting_audit"
        return
    request.decide(outcome, given, justification, NOW)
    assert [i.status for i in request.items] == statuses
    assert request.decided_at == NOW and request.due_at is None
    assert [i.status for i in request.authorized_items] == [s for s in statuses
                                                            if s == "authorized"]


def test_a_decision_on_an_item_of_another_request_is_invalid():
    request = new_request("85200034", status="awaiting_audit")
    with pytest.raises(InvalidInput):
        request.decide("partially_authorized", {"other": True}, "x", NOW)


def test_an_appeal_reopens_every_item_for_a_new_audit_round():
    request = new_request("85200034", status="denied")
    request.overdue_notified = True
    later = NOW + timedelta(days=3)
    request.appeal("segue radiografia", later, later + timedelta(days=1))
    assert (request.status, request.decided_at, request.appeals) == ("awaiting_audit", None, 1)
    assert request.due_at == later + timedelta(days=1) and not request.overdue_notified
    assert [i.status for i in request.items] == ["pending"]


@pytest.mark.parametrize("due_offset, status, overdue", [
    (timedelta(seconds=-1), "awaiting_audit", True), (timedelta(0), "awaiting_audit", True),
    (timedelta(seconds=1), "awaiting_audit", False), (timedelta(seconds=-1), "authorized", False)])
def test_overdue_means_still_awaiting_audit_past_the_due_time(due_offset, status, overdue):
    request = new_request("85200034", status="awaiting_audit")
    request.status, request.due_at = status, NOW + due_offset
    assert request.is_overdue(NOW) is overdue


# -- authorization codes ----------------------------------------------------------------------

RELEASED = date(2026, 12, 1)


def code(**changes) -> AuthorizationCode:
    values = dict(request_id="req-1", request_number="00000001",
                  procedure_codes=("81000065", "85100200"),
                  beneficiary={"cpf": "52998224725", "card_number": "090216100"},
                  professional_document="12345678909", released_on=RELEASED)
    return AuthorizationCode(**{**values, **changes})


@pytest.mark.parametrize("released, last_day", [
    (date(2026, 12, 1), date(2027, 2, 28)), (date(2027, 1, 1), date(2027, 3, 31)),
    (date(2028, 1, 1), date(2028, 3, 30)),  # 2028 is a leap year
])
def test_a_code_is_valid_for_90_days_counting_the_day_of_release(released, last_day):
    assert valid_until(released) == last_day
    assert (last_day - released).days + 1 == 90


@pytest.mark.parametrize("today, args, expected", [
    (RELEASED, {}, (True, None)),
    (date(2027, 2, 28), {}, (True, None)),  # the last valid day
    (date(2027, 3, 1), {}, (False, "expired")),  # the 91st day
    (RELEASED, {"beneficiary": "529.982.247-25"}, (True, None)),
    (RELEASED, {"beneficiary": "090216100"}, (True, None)),
    (RELEASED, {"beneficiary": "11144477735"}, (False, "beneficiary_mismatch")),
    (RELEASED, {"beneficiary": ""}, (False, "beneficiary_mismatch")),
    (RELEASED, {"professional_document": "123.456.789-09"}, (True, None)),
    (RELEASED, {"professional_document": "98765432100"}, (False, "professional_mismatch")),
    (RELEASED, {"procedure_code": "85100200"}, (True, None)),
    (RELEASED, {"procedure_code": "85200034"}, (False, "procedure_not_authorized")),
    (date(2027, 3, 1), {"procedure_code": "85200034"}, (False, "expired")),
])
def test_code_verification_says_why_not(today, args, expected):
    assert code().check(today, **args) == expected


def test_a_cancelled_code_is_never_valid():
    assert code(status="cancelled").check(RELEASED) == (False, "cancelled")


def test_codes_are_unguessable_and_typed_forgivingly():
    made = {new_code() for _ in range(2000)}
    assert len(made) == 2000
    sample = next(iter(made))
    assert len(sample) == 19 and set(sample.replace("-", "")) <= set(ALPHABET)
    assert normalise_code(sample.lower().replace("-", " ")) == sample


# -- callers ------------------------------------------------------------------------------------

def test_a_provider_login_acts_for_its_own_provider_with_every_role():
    caller = Caller.of({"account_id": "a", "kind": "provider", "provider_id": "p1"})
    assert side(caller) == "provider" and may_see(caller, "p1", "authorizations")
    with pytest.raises(NotFound):
        require_sees(caller, "p2", "authorizations")


@pytest.mark.parametrize("grants, provider, error", [
    ({"p1": ["authorizations"]}, "p1", None), ({"p1": ["billing"]}, "p1", Forbidden),
    ({"p1": ["authorizations"]}, "p2", NotFound), ({}, "p1", NotFound)])
def test_a_secretary_acts_by_role(grants, provider, error):
    caller = Caller.of({"account_id": "s", "kind": "secretary", "acting_for": grants})
    if error:
        with pytest.raises(error):
            require_sees(caller, provider, "authorizations")
    else:
        require_sees(caller, provider, "authorizations")


@pytest.mark.parametrize("roles, desk", [(["operator"], True), (["auditor"], True),
                                         (["admin"], True), (["manager"], False)])
def test_operator_staff_see_every_providers_requests(roles, desk):
    caller = Caller.of({"account_id": "x", "kind": "staff", "roles": roles})
    assert side(caller) == "operator" and may_see(caller, "any", "authorizations") is desk


# -- money -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [("123.45", Decimal("123.45")), ("7", Decimal("7.00")),
                                         ("0.1", Decimal("0.10")),
                                         ("999999999999.99", Decimal("999999999999.99"))])
def test_amounts_are_exact_decimals(text, value):
    assert parse_amount(text) == value


def test_what_is_withheld_is_exact_and_never_negative():
    assert withheld(Decimal("0.30"), Decimal("0.10")) == Decimal("0.20")  # 0.3 - 0.1 in floats
    with pytest.raises(InvalidInput):
        withheld(Decimal("10.00"), Decimal("10.01"))


# -- the audit's due time (001: "prazo de um (01) dia útil") -------------------------------------

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize("submitted, due", [
    ("2026-12-01 10:00", "2026-12-02 10:00"),  # Tuesday → Wednesday
    ("2026-12-01 23:30", "2026-12-02 23:30"),  # already Wednesday in UTC; the local day counts
    ("2026-12-04 16:00", "2026-12-07 16:00"),  # Friday → Monday
    ("2026-12-05 11:00", "2026-12-07 11:00"),  # Saturday → Monday
    ("2026-12-24 14:00", "2026-12-28 14:00"),  # Christmas on a Friday, then the weekend
    ("2026-12-31 09:15", "2027-01-04 09:15"),  # New Year's Day, across the year end
    ("2026-04-02 08:00", "2026-04-06 08:00"),  # Good Friday (a moveable feast)
    ("2026-11-19 17:00", "2026-11-23 17:00"),  # Black Consciousness Day (national since 2024)
    ("2026-09-04 12:00", "2026-09-08 12:00"),  # Independence Day on a Monday
])
def test_an_audit_is_due_the_same_local_time_on_the_next_business_day(submitted, due):
    moment = datetime.fromisoformat(submitted).replace(tzinfo=SAO_PAULO)
    assert calendar.next_business_day(moment.astimezone(UTC)) == \
        datetime.fromisoformat(due).replace(tzinfo=SAO_PAULO)


@pytest.mark.parametrize("outcome, decisions, reasons, reason, expected", [
    ("denied", None, {}, "coverage", ["coverage", "coverage"]),
    ("denied", None, {1: "waiting_period"}, "coverage", ["coverage", "waiting_period"]),
    ("partially_authorized", {0: True}, {}, "technical", [None, "technical"]),
    ("partially_authorized", {0: True}, {1: "documentation"}, None, [None, "documentation"]),
    ("authorized", None, {}, "coverage", [None, None]),
    ("partially_authorized", {0: True}, {0: "coverage"}, None, "items"),  # on an authorized item
    ("denied", None, {0: "whim"}, None, "items"),
    ("denied", None, {}, "whim", "denial_reason"),
])
def test_denied_items_carry_coded_reasons(outcome, decisions, reasons, reason, expected):
    request = new_request("85200034", "85200034", status="awaiting_audit")
    ids = [item.id for item in request.items]
    given = {ids[i]: v for i, v in decisions.items()} if decisions else None
    per_item = {ids[i]: v for i, v in reasons.items()}
    if isinstance(expected, str):
        with pytest.raises(InvalidInput) as error:
            request.decide(outcome, given, "motivo", NOW, per_item, reason)
        assert expected in error.value.errors
        return
    request.decide(outcome, given, "motivo", NOW, per_item, reason)
    assert [item.denial_reason for item in request.items] == expected
    request.status = "denied"
    request.appeal("segue laudo", NOW, DUE)
    assert [item.denial_reason for item in request.items] == [None, None]
