"""Which e-mails a person receives (the inbox gets everything), and whether patients' own words
are shown to a provider."""
from __future__ import annotations

from typing import Any

from ponte.caller import Caller
from ponte.errors import InvalidInput
from ponte.service_layer import Context
from services.notifications.domain.catalogue import PreferenceError, check_changes, preferences_view
from services.notifications.repository import Inbox, Repository


def get_preferences(ctx: Context[Repository], caller: Any) -> dict:
    with ctx.reading() as uow:
        return _view(uow.repo.inbox, Caller.of(caller))


def put_preferences(ctx: Context[Repository], caller: Any, email: Any,
                    patient_messages: Any) -> dict:
    """Any subset of the receivable types; every field error at once, nothing changed then."""
    who = Caller.of(caller)
    if email is None:
        email = {}
    if not isinstance(email, dict):
        raise InvalidInput("email must be an object.", {"email": ["Must be an object."]})
    if patient_messages is not None and not isinstance(patient_messages, bool):
        raise InvalidInput("patient_messages must be true or false.",
                           {"patient_messages": ["Must be true or false."]})
    try:
        changes = check_changes(who.kind or None, email)
    except PreferenceError as exc:
        raise InvalidInput("Some preferences cannot be set.", exc.errors) from None
    with ctx.unit() as uow:
        uow.repo.inbox.save_preferences(who.account_id, changes, patient_messages)
        return _view(uow.repo.inbox, who)


def _view(inbox: Inbox, who: Caller) -> dict:
    return preferences_view(who.kind or None, inbox.email_preferences(who.account_id),
                            inbox.patient_messages(who.account_id))
