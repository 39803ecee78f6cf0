"""Who can register and with what: the business rules (000, 003, API.md "Precise points").

The shape of what arrives (types, lengths, enumerations, e-mail syntax, CPF/CNPJ check digits,
confirmations typed the same, terms accepted) is checked once, at the edge, by the schemas in
``gateway/identity/schemas.py``; the RPCs receive it already normalised (docs/rpc.md). What is
left here needs the domain or the state: the password policy, a provider's type and sites, and
what completing a site requires of that site and its provider."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ponte.contracts.forms import FORM_ERRORS
from ponte.contracts.identity import PROVIDER_TYPES, search_words
from ponte.documents import person_type as person_type_of
from ponte.errors import InvalidInput
from ponte.roles import STAFF_ROLES
from services.identity.domain.passwords import policy_errors

DEFAULT_LOCALE = "pt-BR"


def email_key(email: str) -> str:
    """E-mail addresses are unique regardless of letter case (API.md "Precise points")."""
    return email.strip().lower()


def search_key(name: str) -> str:
    """What names are searched and ordered by: their words ignoring case and accents
    ("João da Silva" → ``joao da silva``); a query's word matches the start of any word."""
    return " ".join(search_words(name))[:200]


class Errors:
    """Collects field errors so one answer names every invalid field."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    @classmethod
    def given(cls, data: Mapping[str, Any]) -> Errors:
        """Starting from what the edge found wrong with the form (``FORM_ERRORS``), so the
        answer names the form's errors and the rules' together."""
        errors = cls()
        found = data.get(FORM_ERRORS)
        for field, messages in (found.items() if isinstance(found, Mapping) else ()):
            for message in messages if isinstance(messages, list) else [messages]:
                errors.add(str(field), str(message))
        return errors

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        """Whether the field, or a part of it (``sites.0``), has an error already."""
        return any(name == field or name.startswith(f"{field}.") for name in self.fields)

    def raise_any(self, detail: str = "Some fields are invalid.") -> None:
        if self.fields:
            names = ", ".join(sorted(self.fields))
            raise InvalidInput(f"{detail} ({names})", self.fields)


@dataclass(frozen=True)
class SelfRegistration:
    kind: str
    cpf: str
    email: str
    name: str
    sex: str | None
    secondary_email: str | None
    locale: str


def self_registration(kind: str, data: Mapping[str, Any]) -> SelfRegistration:
    """Secretaries (000) and citizens register themselves: CPF, name, e-mail, password and
    accepted terms; secretaries also give their sex. The password follows the policy (000)."""
    errors = Errors.given(data)
    check_new_password(data, errors)
    errors.raise_any()
    return SelfRegistration(kind, data["cpf"], data["email"], data["name"], data.get("sex"),
                            data.get("secondary_email"), data.get("locale") or DEFAULT_LOCALE)


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    roles: list[str]
    locale: str


def staff_member(data: Mapping[str, Any]) -> StaffMember:
    """An admin creates staff with one or more roles; they set their password later."""
    roles = set(data["roles"])
    return StaffMember(data["email"], data["name"], [r for r in STAFF_ROLES if r in roles],
                       data.get("locale") or DEFAULT_LOCALE)


def check_new_password(data: Mapping[str, Any], errors: Errors, field: str = "password") -> None:
    """The password policy (000) for a password the edge found well formed; the confirmation
    was compared there."""
    if field in errors:
        return
    for message in policy_errors(data.get(field)):
        errors.add(field, message)


@dataclass(frozen=True)
class SitePlan:
    name: str
    email: str
    email_shared: bool


def plan_sites(legal_name: str, email: str,
               sites: list[Mapping[str, str]] | None) -> list[SitePlan]:
    """One login per site; without sites, one main site with the provider's e-mail. Sites
    sharing an e-mail must each set their own when activating (003)."""
    wanted = [(s["name"].strip(), s["email"].strip()) for s in sites] if sites else [
        (legal_name, email)]
    counts = Counter(email_key(site_email) for _, site_email in wanted)
    return [SitePlan(name, site_email, counts[email_key(site_email)] > 1)
            for name, site_email in wanted]


@dataclass(frozen=True)
class Preregistration:
    document: str
    person_type: str
    legal_name: str
    email: str
    secondary_email: str | None
    locale: str
    sites: list[SitePlan]
    sites_given: bool


def preregistration(data: Mapping[str, Any]) -> Preregistration:
    """An operator pre-registers a provider: document (CNPJ or CPF, which says whether it is an
    organisation or an individual), legal name, e-mail and optional sites (003)."""
    sites = data.get("sites") or None
    return Preregistration(data["document"], person_type_of(data["document"]), data["legal_name"],
                           data["email"], data.get("secondary_email"),
                           data.get("locale") or DEFAULT_LOCALE,
                           plan_sites(data["legal_name"], data["email"], sites), bool(sites))


@dataclass(frozen=True)
class Completion:
    provider_type: str
    sex: str | None
    email: str | None
    secondary_email: str | None


def completion(person_type: str, current_provider_type: str | None, email_shared: bool,
               data: Mapping[str, Any]) -> Completion:
    """Finishing a pre-registered site (003, API.md "Precise points"): the provider type belongs
    to the provider (the first completed site sets it; later ones may omit it; a different value
    is refused); individuals give their sex; a site whose e-mail is shared sets its own."""
    errors = Errors.given(data)
    provider_type = data.get("provider_type")
    if "provider_type" in errors:
        pass
    elif provider_type is None and current_provider_type is None:
        errors.add("provider_type", "Missing data for required field.")
    elif provider_type is not None and provider_type not in PROVIDER_TYPES:
        errors.add("provider_type", "Choose from " + ", ".join(PROVIDER_TYPES) + ".")
    elif provider_type and current_provider_type and provider_type != current_provider_type:
        errors.add("provider_type", f"This provider is already registered as "
                                    f"{current_provider_type}.")
    sex = data.get("sex")
    if sex is None and person_type == "individual" and "sex" not in errors:
        errors.add("sex", "Missing data for required field.")
    email = data.get("email")
    if email is None and email_shared and "email" not in errors:
        errors.add("email", "This site shares its e-mail with another site: give an e-mail of "
                            "its own.")
    check_new_password(data, errors)
    errors.raise_any()
    return Completion(provider_type or current_provider_type,  # type: ignore[arg-type]
                      sex, email, data.get("secondary_email"))
