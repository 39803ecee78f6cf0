"""A citizen's request for a service and its workflow, as the attendant's manual (002) walks it:
"Iniciar Análise", approve choosing the attendant who will handle it or reject with a
justification, answer the checklist steps yes/no, follow-ups (messages with attachments) in one
history, video meetings, conclude with a final note, then the citizen's rating, which an
attendant moderates before it is shown.

    service request: submitted → in_analysis → in_progress → concluded
                                             ↘ rejected
    rating:          pending → approved | rejected

Beyond the manual: a due time per request (``due_business_days`` of its service, counted from
submission), flagged as overdue in the queue while the request is open.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ponte.contracts.attendance import (
    APPROVED,
    CONCLUDED,
    IN_ANALYSIS,
    IN_PROGRESS,
    OPEN_REQUEST_STATUSES,
    PENDING,
    REJECTED,
    SUBMITTED,
)
from ponte.errors import Conflict, Forbidden, InvalidInput
from services.attendance.domain.catalogue import Service, new_id, required_text
from services.attendance.domain.checks import Found, every_error

DEFAULT_MEETING_MINUTES = 30
HORIZON = timedelta(days=2 * 366)


def require_future(starts_at: datetime, now: datetime) -> None:
    """Meetings and appointments are booked ahead: after now, and within two years."""
    if starts_at <= now:
        raise InvalidInput("It must start in the future.",
                           {"starts_at": ["Must be in the future."]})
    if starts_at > now + HORIZON:
        raise InvalidInput("It may start at most two years ahead.",
                           {"starts_at": ["At most two years ahead."]})


def format_protocol(local_day: str, sequence: int) -> str:
    """``YYYYMMDD`` of the submission day (America/Sao_Paulo) + the day's 6-digit sequence:
    ``20261201000042``, readable on the phone and unique."""
    return f"{local_day}{sequence:06d}"


def meeting_room() -> str:
    """An unguessable room name (128 random bits): the join link is the meeting's only key."""
    return "ponte-" + secrets.token_hex(16)


@dataclass
class FollowUp:
    request_id: str
    author_id: str
    side: str  # attendant | citizen
    message: str
    attachments: list[dict[str, Any]]
    created_at: datetime
    id: str = field(default_factory=new_id)


@dataclass
class Meeting:
    request_id: str
    institution_id: str
    starts_at: datetime
    duration_minutes: int
    subject: str
    join_url: str
    scheduled_by: str
    created_at: datetime
    id: str = field(default_factory=new_id)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass
class Rating:
    request_id: str
    service_id: str
    institution_id: str
    citizen_id: str
    score: int
    comment: str | None
    created_at: datetime
    status: str = PENDING
    moderated_by: str | None = None
    moderated_at: datetime | None = None
    moderation_reason: str | None = None
    id: str = field(default_factory=new_id)

    def moderate(self, attendant_id: str, approved: bool, reason: str | None,
                 now: datetime) -> None:
        """An attendant approves a rating's comment for the public, or rejects it ("algum dado
        sensível ou fala deturpada", 002): a rejected original is kept, never shown."""
        if self.status != PENDING:
            raise Conflict(f"This rating is already {self.status}.")
        self.status = APPROVED if approved else REJECTED
        self.moderated_by, self.moderated_at = attendant_id, now
        self.moderation_reason = (reason or "").strip() or None


@dataclass
class ServiceRequest:
    service_id: str
    institution_id: str
    citizen_id: str
    answers: dict[str, Any]
    attachments: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    created_at: datetime
    due_at: datetime
    protocol: str | None = None
    status: str = SUBMITTED
    assigned_attendant_id: str | None = None
    analysis_started_by: str | None = None
    analysis_started_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    rejection_justification: str | None = None
    conclusion_note: str | None = None
    concluded_at: datetime | None = None
    overdue_notified_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @classmethod
    def submit(cls, service: Service, citizen_id: str, answers: dict[str, Any],
               attachments: list[dict[str, Any]], now: datetime,
               due_at: datetime) -> ServiceRequest:
        """A request for a published service, with answers already checked against its form;
        the checklist is the service's steps at this moment, unanswered. Its protocol follows
        in the same transaction (:meth:`assign_protocol`)."""
        service.require_published()
        return cls(service_id=service.id, institution_id=service.institution_id,
                   citizen_id=citizen_id, answers=answers,
                   attachments=attachments,
                   checklist=[{"step_id": s.id, "title": s.title, "answer": None}
                              for s in service.steps],
                   created_at=now, due_at=due_at)

    def assign_protocol(self, protocol: str) -> None:
        """Every request gets a protocol on submission, once. It is the submission's last step:
        the day's sequence stays locked until the submission commits (``ponte.numbering``)."""
        if self.protocol is not None:
            raise Conflict(f"This request already has the protocol {self.protocol}.")
        self.protocol = protocol

    # -- the attendant's workflow -------------------------------------------------------

    def start_analysis(self, attendant_id: str, now: datetime) -> None:
        self._require(SUBMITTED, "start its analysis")
        self.status = IN_ANALYSIS
        self.analysis_started_by, self.analysis_started_at = attendant_id, now

    def approve(self, attendant_id: str, assignee_id: str, now: datetime) -> None:
        """"Aprovar" choosing the attendant who will handle it (an approved attendant of the
        same institution: the caller checks that, it knows the institution's attendants)."""
        self._require(IN_ANALYSIS, "approve it")
        self.status, self.assigned_attendant_id = IN_PROGRESS, assignee_id
        self.decided_by, self.decided_at = attendant_id, now

    def reject(self, attendant_id: str, justification: str | None, now: datetime) -> None:
        """"Ao reprovar ... o atendente precisa justificar": the citizen sees the reason."""
        justification = required_text(justification, "justification")
        self._require(IN_ANALYSIS, "reject it")
        self.status, self.rejection_justification = REJECTED, justification
        self.decided_by, self.decided_at = attendant_id, now

    def answer_checklist(self, attendant_id: str, answers: dict[str, bool],
                         now: datetime, found: Found = None) -> list[dict[str, Any]]:
        """The assigned attendant answers steps yes or no; steps not named keep their answer.
        ``found``: the answers the edge refused (absent from ``answers``), named in one 422
        with the unknown steps among the rest."""
        if found:
            every_error(lambda: self._known_steps(answers), found=found)
        self.require_assigned(attendant_id, "answer the checklist")
        self._require(IN_PROGRESS, "answer its checklist")
        self._known_steps(answers)
        for item in self.checklist:
            if item["step_id"] in answers:
                item["answer"] = bool(answers[item["step_id"]])
        return self.checklist

    def _known_steps(self, answers: dict[str, bool]) -> None:
        steps = {item["step_id"] for item in self.checklist}
        unknown = {f"answers.{key}": ["No such step in this request's checklist."]
                   for key in answers if key not in steps}
        if unknown:
            raise InvalidInput("Unknown steps.", unknown)

    def follow_up(self, author_id: str, message: str | None,
                  attachments: list[dict[str, Any]], now: datetime) -> FollowUp:
        """The assigned attendant or the citizen adds to the history ("Criar Acompanhamento")."""
        message = required_text(message, "message")
        if author_id == self.assigned_attendant_id:
            side = "attendant"
        elif author_id == self.citizen_id:
            side = "citizen"
        else:
            raise Forbidden("Only the assigned attendant and the citizen write follow-ups.")
        self._require(IN_PROGRESS, "add a follow-up")
        return FollowUp(self.id, author_id, side, message, attachments, now)

    def schedule_meeting(self, attendant_id: str, starts_at: datetime,
                         duration_minutes: int | None, subject: str | None, base_url: str,
                         now: datetime) -> Meeting:
        """A video meeting with the citizen ("Videoconferência": day, time and subject)."""
        subject = required_text(subject, "subject")
        self.require_assigned(attendant_id, "schedule meetings")
        require_future(starts_at, now)
        self._require(IN_PROGRESS, "schedule a meeting")
        return Meeting(self.id, self.institution_id, starts_at,
                       duration_minutes or DEFAULT_MEETING_MINUTES, subject,
                       f"{base_url.rstrip('/')}/{meeting_room()}", attendant_id, now)

    def conclude(self, attendant_id: str, note: str | None, now: datetime) -> None:
        """"Concluir Solicitação": the final note is required."""
        note = required_text(note, "note")
        self.require_assigned(attendant_id, "conclude it")
        self._require(IN_PROGRESS, "conclude it")
        self.status, self.conclusion_note, self.concluded_at = CONCLUDED, note, now

    # -- the citizen's rating -----------------------------------------------------------

    def rate(self, citizen_id: str, score: int, comment: str | None, already_rated: bool,
             now: datetime) -> Rating:
        """Once, after conclusion (1–5 with a comment)."""
        if citizen_id != self.citizen_id:
            raise Forbidden("Only the citizen who made the request rates it.")
        if self.status != CONCLUDED:
            raise Conflict("A request is rated after its conclusion.")
        if already_rated:
            raise Conflict("This request is already rated.")
        return Rating(self.id, self.service_id, self.institution_id, citizen_id, score,
                      (comment or "").strip() or None, now)

    def require_not_handled_by(self, attendant_id: str) -> None:
        """Nobody moderates the rating of their own work: the attendant assigned to the request
        leaves its rating to a colleague (issue 17, item 16)."""
        if attendant_id == self.assigned_attendant_id:
            raise Forbidden("The attendant assigned to this request may not moderate its "
                            "rating.")

    # -- due time -----------------------------------------------------------------------

    def is_overdue(self, now: datetime) -> bool:
        return self.status in OPEN_REQUEST_STATUSES and self.due_at < now

    def mark_overdue_notified(self, now: datetime) -> None:
        if self.overdue_notified_at is not None or not self.is_overdue(now):
            raise Conflict("This request is not newly overdue.")
        self.overdue_notified_at = now

    # -- rules ------------------------------------------------------------------------

    def require_assigned(self, account_id: str, action: str) -> None:
        if self.assigned_attendant_id is None:
            raise Conflict(f"No attendant is assigned yet; nobody can {action}.")
        if account_id != self.assigned_attendant_id:
            raise Forbidden(f"Only the assigned attendant can {action}.")

    def _require(self, status: str, action: str) -> None:
        if self.status != status:
            raise Conflict(f"This request is {self.status}; you cannot {action}.")
