"""Institutions and their service catalogue (002, "Perfil Gestor"): a manager drafts a service,
edits it, publishes it; only published services are visible to citizens.

    service: draft → published ⇄ unpublished
"""
from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ponte.contracts.attendance import DRAFT, PUBLISHED, UNPUBLISHED
from ponte.contracts.forms import FORM_ERRORS
from ponte.errors import Conflict, InvalidInput
from services.attendance.domain.checks import every_error, refused
from services.attendance.domain.forms import FormField, define_form

DEFAULT_DUE_BUSINESS_DAYS = 5


def new_id() -> str:
    return str(uuid.uuid4())


def required_text(value: str | None, name: str) -> str:
    """Required free text must not be blank (API.md "Precise points")."""
    if value is None or not str(value).strip():
        raise InvalidInput(f"{name} is required.", {name: ["Must not be blank."]})
    return str(value).strip()


def search_key(text: str) -> str:
    """Text as citizens search it: ignoring case, accents and repeated spaces ("alvara" finds
    "ALVARÁ")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass
class Institution:
    name: str
    acronym: str
    created_at: datetime
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class Step:
    """A checklist step the attendant answers yes or no (002, "etapas da solicitação")."""

    id: str
    title: str


def define_steps(steps: Iterable[dict[str, Any]], current: Iterable[Step] = ()) -> tuple[Step, ...]:
    """Steps in the order given. A step sent with the ``id`` of a current step keeps that id (its
    title may change); any other step gets a new id."""
    known = {s.id for s in current}
    result, errors = [], {}
    for index, step in enumerate(steps):
        step_id = step.get("id")
        if step_id is not None and step_id not in known:
            errors[f"steps.{index}.id"] = ["No such step in this service."]
        result.append(Step(step_id if step_id in known else new_id(), step["title"].strip()))
    if len({s.id for s in result}) != len(result):
        errors["steps"] = ["A step appears twice."]
    if errors:
        raise InvalidInput("The steps are not valid.", errors)
    return tuple(result)


@dataclass
class Service:
    """A service of an institution's catalogue ("carta de serviço"). ``due_business_days`` is the
    time an attendant has to conclude a request, counted in business days from submission."""

    institution_id: str
    name: str
    description: str
    audience: str
    requirements: tuple[str, ...]
    steps: tuple[Step, ...]
    form: tuple[FormField, ...]
    created_at: datetime
    updated_at: datetime
    due_business_days: int = DEFAULT_DUE_BUSINESS_DAYS
    status: str = DRAFT
    published_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @classmethod
    def draft(cls, institution_id: str, data: dict[str, Any], now: datetime) -> Service:
        """``data`` as the edge kept it, with what it refused under ``FORM_ERRORS``: those
        errors come back with the steps' and the form's own, in one answer."""
        found = data.get(FORM_ERRORS)
        steps, form = every_error(
            lambda: None if refused(found, "steps") else define_steps(data.get("steps") or ()),
            lambda: None if refused(found, "form_fields")
            else define_form(data.get("form_fields") or ()),
            found=found)
        return cls(institution_id=institution_id, name=data["name"].strip(),
                   description=data.get("description") or "",
                   audience=data.get("audience") or "",
                   requirements=tuple(data.get("requirements") or ()),
                   steps=steps, form=form, created_at=now,
                   updated_at=now,
                   due_business_days=data.get("due_business_days") or DEFAULT_DUE_BUSINESS_DAYS)

    def edit(self, changes: dict[str, Any], now: datetime) -> None:
        """Any status ("Atualizar as informações pertinentes aos serviços cadastrados"). Requests
        already made keep the steps and form they were made with. What the edge refused
        (``FORM_ERRORS``) comes back with the steps' and the form's own errors."""
        found = changes.get(FORM_ERRORS)
        steps, form = every_error(
            lambda: define_steps(changes["steps"] or (), self.steps)
            if "steps" in changes and not refused(found, "steps") else self.steps,
            lambda: define_form(changes["form_fields"] or ())
            if "form_fields" in changes and not refused(found, "form_fields") else self.form,
            found=found)
        if "name" in changes:
            self.name = changes["name"].strip()
        for name in ("description", "audience"):
            if name in changes:
                setattr(self, name, changes[name] or "")
        if "requirements" in changes:
            self.requirements = tuple(changes["requirements"] or ())
        self.steps, self.form = steps, form
        if changes.get("due_business_days") is not None:
            self.due_business_days = changes["due_business_days"]
        self.updated_at = now

    def publish(self, now: datetime) -> None:
        if self.status == PUBLISHED:
            raise Conflict("This service is already published.")
        self.status, self.published_at, self.updated_at = PUBLISHED, now, now

    def unpublish(self, now: datetime) -> None:
        if self.status != PUBLISHED:
            raise Conflict(f"This service is {self.status}, not published.")
        self.status, self.updated_at = UNPUBLISHED, now

    @property
    def search_text(self) -> str:
        """What the catalogue search looks in: name and description."""
        return search_key(f"{self.name} {self.description}")

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def require_published(self) -> None:
        if not self.is_published:
            raise Conflict("This service is not published; requests cannot be made to it.")
