"""The attendance state machines (002, 003) as tables of (state, action) → outcome, with time
passed in: services, attendant requests, service requests, ratings and appointments."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ponte.errors import Conflict, Forbidden, InvalidInput
from services.attendance.domain.access import AttendantRequest, may_ask
from services.attendance.domain.appointments import Appointment
from services.attendance.domain.catalogue import Service, define_steps, search_key
from services.attendance.domain.requests import (
    Rating,
    ServiceRequest,
    format_protocol,
    meeting_room,
)

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
CITIZEN, ANA, BRUNO, MANAGER = "citizen-1", "ana", "bruno", "manager"
BASE = "https://meet.example.org/"


def service(status: str = "published") -> Service:
    steps = [{"title": "Docs"}, {"title": "Dados"}]
    made = Service.draft("inst-1", {"name": " Segunda via ", "steps": steps, "form_fields": []},
                         NOW)
    made.status = status
    return made


def request(status: str = "submitted", assigned: str | None = None) -> ServiceRequest:
    made = ServiceRequest.submit(service(), CITIZEN, {}, [], NOW, NOW + timedelta(days=7))
    made.assign_protocol("20261201000001")
    made.status, made.assigned_attendant_id = status, assigned
    return made


# -- services ------------------------------------------------------------------------------

@pytest.mark.parametrize("status, action, outcome", [
    ("draft", "publish", "published"),
    ("unpublished", "publish", "published"),
    ("published", "publish", Conflict),
    ("published", "unpublish", "unpublished"),
    ("draft", "unpublish", Conflict),
    ("unpublished", "unpublish", Conflict),
])
def test_a_service_is_published_or_unpublished_only_from_another_state(status, action, outcome):
    subject = service(status)
    if isinstance(outcome, str):
        getattr(subject, action)(NOW)
        assert subject.status == outcome
    else:
        with pytest.raises(outcome):
            getattr(subject, action)(NOW)
        assert subject.status == status


def test_a_draft_has_steps_with_ids_and_a_default_due_time():
    made = service("draft")
    assert made.name == "Segunda via" and made.due_business_days == 5
    assert [s.title for s in made.steps] == ["Docs", "Dados"]
    assert len({s.id for s in made.steps}) == 2


def test_editing_steps_keeps_the_ids_sent_back_and_refuses_foreign_ones():
    made = service()
    kept = made.steps[1]
    made.edit({"steps": [{"id": kept.id, "title": "Dados pessoais"}, {"title": "Taxa"}]}, NOW)
    assert made.steps[0].id == kept.id and made.steps[0].title == "Dados pessoais"
    assert made.steps[1].id != kept.id
    with pytest.raises(InvalidInput) as error:
        define_steps([{"id": "nope", "title": "x"}], made.steps)
    assert "steps.0.id" in error.value.errors


@pytest.mark.parametrize("text, key", [
    ("ALVARÁ de  Funcionamento", "alvara de funcionamento"), ("Licença", "licenca"),
    ("  São   João ", "sao joao"),
])
def test_the_catalogue_is_searched_without_case_or_accents(text, key):
    assert search_key(text) == key


def test_only_a_published_service_takes_requests():
    for status in ("draft", "unpublished"):
        with pytest.raises(Conflict):
            ServiceRequest.submit(service(status), CITIZEN, {}, [], NOW, NOW)


def test_a_request_gets_its_protocol_once():
    made = ServiceRequest.submit(service(), CITIZEN, {}, [], NOW, NOW + timedelta(days=7))
    assert made.protocol is None
    made.assign_protocol("20261201000002")
    with pytest.raises(Conflict):
        made.assign_protocol("20261201000003")
    assert made.protocol == "20261201000002"


# -- attendant access ----------------------------------------------------------------------

@pytest.mark.parametrize("status, action, outcome", [
    ("pending", "approve", "approved"),
    ("pending", "reject", "rejected"),
    ("approved", "approve", Conflict),
    ("approved", "reject", Conflict),
    ("rejected", "approve", Conflict),
    ("rejected", "reject", Conflict),
])
def test_an_attendant_request_is_decided_only_while_pending(status, action, outcome):
    subject = AttendantRequest("inst-1", ANA, NOW, status=status)
    call = (lambda: subject.approve(MANAGER, NOW)) if action == "approve" \
        else (lambda: subject.reject(MANAGER, "Não lotada", NOW))
    if isinstance(outcome, str):
        call()
        assert subject.status == outcome and subject.decided_by == MANAGER
    else:
        with pytest.raises(outcome):
            call()


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_rejection_of_access_needs_a_reason(reason):
    with pytest.raises(InvalidInput) as error:
        AttendantRequest("inst-1", ANA, NOW).reject(MANAGER, reason, NOW)
    assert "reason" in error.value.errors


@pytest.mark.parametrize("statuses, allowed", [
    ([], True), (["rejected"], True), (["rejected", "rejected"], True),
    (["pending"], False), (["rejected", "approved"], False),
])
def test_a_servant_asks_again_only_after_a_rejection(statuses, allowed):
    existing = [AttendantRequest("inst-1", ANA, NOW, status=s) for s in statuses]
    if allowed:
        may_ask(existing)
    else:
        with pytest.raises(Conflict):
            may_ask(existing)


# -- the service-request workflow ----------------------------------------------------------

ACTIONS = {
    "start_analysis": lambda r: r.start_analysis(ANA, NOW),
    "approve": lambda r: r.approve(ANA, BRUNO, NOW),
    "reject": lambda r: r.reject(ANA, "Documento ilegível", NOW),
    "conclude": lambda r: r.conclude(BRUNO, "Emitido", NOW),
}


@pytest.mark.parametrize("status, action, outcome", [
    ("submitted", "start_analysis", "in_analysis"),
    ("submitted", "approve", Conflict),
    ("submitted", "reject", Conflict),
    ("submitted", "conclude", Conflict),
    ("in_analysis", "start_analysis", Conflict),
    ("in_analysis", "approve", "in_progress"),
    ("in_analysis", "reject", "rejected"),
    ("in_analysis", "conclude", Conflict),
    ("in_progress", "start_analysis", Conflict),
    ("in_progress", "approve", Conflict),
    ("in_progress", "reject", Conflict),
    ("in_progress", "conclude", "concluded"),
    ("rejected", "start_analysis", Conflict),
    ("rejected", "conclude", Conflict),
    ("concluded", "conclude", Conflict),
    ("concluded", "reject", Conflict),
])
def test_a_service_request_moves_only_along_its_state_table(status, action, outcome):
    subject = request(status, assigned=BRUNO if status in ("in_progress", "concluded") else None)
    if isinstance(outcome, str):
        ACTIONS[action](subject)
        assert subject.status == outcome
    else:
        with pytest.raises(outcome):
            ACTIONS[action](subject)
        assert subject.status == status


def test_approval_assigns_the_chosen_attendant():
    subject = request("in_analysis")
    subject.approve(ANA, BRUNO, NOW)
    assert subject.assigned_attendant_id == BRUNO and subject.decided_by == ANA


@pytest.mark.parametrize("action, field", [
    (lambda r: r.reject(ANA, "  ", NOW), "justification"),
    (lambda r: r.reject(ANA, None, NOW), "justification"),
    (lambda r: r.conclude(BRUNO, "", NOW), "note"),
    (lambda r: r.follow_up(BRUNO, " ", [], NOW), "message"),
    (lambda r: r.schedule_meeting(BRUNO, NOW + timedelta(days=1), None, " ", BASE, NOW),
     "subject"),
])
def test_required_text_must_not_be_blank(action, field):
    subject = request("in_analysis" if field == "justification" else "in_progress", BRUNO)
    with pytest.raises(InvalidInput) as error:
        action(subject)
    assert field in error.value.errors


@pytest.mark.parametrize("who, outcome", [(BRUNO, None), (ANA, Forbidden),
                                          (CITIZEN, Forbidden)])
def test_only_the_assigned_attendant_answers_the_checklist(who, outcome):
    subject = request("in_progress", BRUNO)
    steps = [item["step_id"] for item in subject.checklist]
    if outcome is None:
        subject.answer_checklist(who, {steps[1]: False}, NOW)
        subject.answer_checklist(who, {steps[0]: True}, NOW)
        assert [i["answer"] for i in subject.checklist] == [True, False]
    else:
        with pytest.raises(outcome):
            subject.answer_checklist(who, {steps[0]: True}, NOW)


def test_a_checklist_names_only_its_own_steps_and_only_while_in_progress():
    subject = request("in_progress", BRUNO)
    with pytest.raises(InvalidInput) as error:
        subject.answer_checklist(BRUNO, {"other": True}, NOW)
    assert "answers.other" in error.value.errors
    subject.status = "concluded"
    with pytest.raises(Conflict):
        subject.answer_checklist(BRUNO, {}, NOW)


@pytest.mark.parametrize("author, status, outcome", [
    (BRUNO, "in_progress", "attendant"),
    (CITIZEN, "in_progress", "citizen"),
    (ANA, "in_progress", Forbidden),
    (CITIZEN, "concluded", Conflict),
    (BRUNO, "rejected", Conflict),
])
def test_follow_ups_by_the_assigned_attendant_and_the_citizen(author, status, outcome):
    subject = request(status, BRUNO)
    if isinstance(outcome, str):
        assert subject.follow_up(author, "Olá", [], NOW).side == outcome
    else:
        with pytest.raises(outcome):
            subject.follow_up(author, "Olá", [], NOW)


@pytest.mark.parametrize("starts_in, outcome", [
    (timedelta(minutes=5), None), (timedelta(days=700), None), (timedelta(0), InvalidInput),
    (timedelta(hours=-1), InvalidInput), (timedelta(days=1000), InvalidInput),
])
def test_a_meeting_starts_in_the_future(starts_in, outcome):
    subject = request("in_progress", BRUNO)
    if outcome is None:
        meeting = subject.schedule_meeting(BRUNO, NOW + starts_in, None, "Dúvidas", BASE, NOW)
        assert meeting.duration_minutes == 30
        assert meeting.join_url.startswith("https://meet.example.org/ponte-")
    else:
        with pytest.raises(outcome) as error:
            subject.schedule_meeting(BRUNO, NOW + starts_in, None, "Dúvidas", BASE, NOW)
        assert "starts_at" in error.value.errors


def test_meeting_rooms_are_unguessable():
    rooms = {meeting_room() for _ in range(1000)}
    assert len(rooms) == 1000 and all(len(r) == len("ponte-") + 32 for r in rooms)


def test_protocols_are_the_local_day_and_a_six_digit_sequence():
    assert format_protocol("20261201", 42) == "20261201000042"


@pytest.mark.parametrize("status, already, who, outcome", [
    ("concluded", False, CITIZEN, "pending"),
    ("concluded", True, CITIZEN, Conflict),
    ("in_progress", False, CITIZEN, Conflict),
    ("rejected", False, CITIZEN, Conflict),
    ("concluded", False, "someone-else", Forbidden),
])
def test_only_the_citizen_rates_a_concluded_request_and_only_once(status, already, who, outcome):
    subject = request(status, BRUNO)
    if isinstance(outcome, str):
        rating = subject.rate(who, 4, "  Bom  ", already, NOW)
        assert rating.status == outcome and rating.comment == "Bom"
    else:
        with pytest.raises(outcome):
            subject.rate(who, 4, None, already, NOW)


@pytest.mark.parametrize("status, approved, outcome", [
    ("pending", True, "approved"), ("pending", False, "rejected"),
    ("approved", False, Conflict), ("rejected", True, Conflict),
])
def test_a_rating_is_moderated_only_while_pending(status, approved, outcome):
    rating = Rating("r", "s", "i", CITIZEN, 2, "dados sensíveis", NOW, status=status)
    if isinstance(outcome, str):
        rating.moderate(ANA, approved, None, NOW)
        assert rating.status == outcome and rating.comment == "dados sensíveis"
    else:
        with pytest.raises(outcome):
            rating.moderate(ANA, approved, None, NOW)


@pytest.mark.parametrize("status, due_in, overdue", [
    ("submitted", timedelta(hours=-1), True), ("in_analysis", timedelta(hours=-1), True),
    ("in_progress", timedelta(hours=-1), True), ("in_progress", timedelta(hours=1), False),
    ("concluded", timedelta(hours=-1), False), ("rejected", timedelta(hours=-1), False),
])
def test_an_open_request_past_its_due_time_is_overdue(status, due_in, overdue):
    subject = request(status)
    subject.due_at = NOW + due_in
    assert subject.is_overdue(NOW) is overdue


def test_an_overdue_request_is_told_once():
    subject = request()
    subject.due_at = NOW - timedelta(minutes=1)
    subject.mark_overdue_notified(NOW)
    with pytest.raises(Conflict):
        subject.mark_overdue_notified(NOW)


# -- appointments --------------------------------------------------------------------------

def test_an_appointment_is_booked_in_the_future_and_cancelled_once():
    for when in (NOW, NOW + timedelta(days=5000)):
        with pytest.raises(InvalidInput):
            Appointment.book("prov", CITIZEN, when, None, [], NOW)
    appointment = Appointment.book("prov", CITIZEN, NOW + timedelta(days=1), "  ", [], NOW)
    assert appointment.status == "booked" and appointment.notes is None
    appointment.cancel("provider", NOW)
    assert (appointment.status, appointment.cancelled_by) == ("cancelled", "provider")
    with pytest.raises(Conflict):
        appointment.cancel("citizen", NOW)


def test_a_service_s_steps_and_form_are_refused_together():
    with pytest.raises(InvalidInput) as refused:
        Service.draft("inst", {"name": "x", "steps": [{"id": "nope", "title": "a"}],
                               "form_fields": [{"name": "a", "label": "A", "type": "choice"}]},
                      NOW)
    assert set(refused.value.errors) == {"steps.0.id", "form_fields.0.choices"}
