"""Who can register and with what (000, 003, API.md "Precise points")."""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping

from ponte.documents import normalise_cpf, normalise_document
from ponte.errors import InvalidInput
from services.identity.domain.passwords import policy_errors

PROVIDER_TYPES = ("clinic", "cooperative", "supplier", "hospital", "laboratory", "dentist")
SEXES = ("female", "male")
STAFF_ROLES = ("admin", "operator", "auditor", "manager", "servant")
LOCALES = ("pt-BR", "en", "it")
DEFAULT_LOCALE = "pt-BR"


def email_key(email: str) -> str:
    """E-mail addresses are unique regardless of letter case (API.md "Precise points")."""
    return email.strip().lower()


def search_key(name: str) -> str:
    """Names are searched by prefix ignoring case and accents ("joão" finds "Joao")."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


class Errors:
    """Collects field errors so one answer names every invalid field."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_any(self, detail: str = "Some fields are invalid.") -> None:
        if self.fields:
            names = ", ".join(sorted(self.fields))
            raise InvalidInput(f"{detail} ({names})", self.fields)


def read_text(data: Mapping[str, Any], field: str, errors: Errors, required: bool = True,
          max_length: int = 200) -> str | None:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, "Missing data for required field.")
        return None
    if not isinstance(value, str) or len(value.strip()) > max_length:
        errors.add(field, f"Must be text of at most {max_length} characters.")
        return None
    return value.strip()


def read_email(data: Mapping[str, Any], field: str, errors: Errors,
               required: bool = True) -> str | None:
    value = read_text(data, field, errors, required, 254)
    if value is not None and (value.count("@") != 1 or "." not in value.split("@")[1]):
        errors.add(field, "Not a valid email address.")
        return None
    return value


def read_choice(data: Mapping[str, Any], field: str, choices: tuple[str, ...], errors: Errors,
            required: bool = True) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            errors.add(field, "Missing data for required field.")
        return None
    if value not in choices:
        errors.add(field, f"Must be one of: {', '.join(choices)}.")
        return None
    return value


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
    accepted terms; secretaries also give their sex and confirm the e-mail."""
    errors = Errors()
    cpf = None
    try:
        cpf = normalise_cpf(data.get("cpf"))
    except ValueError as exc:
        errors.add("cpf", str(exc))
    email = read_email(data, "email", errors)
    if kind == "secretary" and email is not None:
        confirmation = data.get("email_confirmation")
        if not isinstance(confirmation, str) or email_key(confirmation) != email_key(email):
            errors.add("email_confirmation", "Does not match the e-mail.")
    name = read_text(data, "name", errors)
    sex = read_choice(data, "sex", SEXES, errors, required=kind == "secretary")
    secondary = read_email(data, "secondary_email", errors, required=False)
    locale = read_choice(data, "locale", LOCALES, errors, required=False) or DEFAULT_LOCALE
    check_new_password(data, errors)
    require_terms(data, errors)
    errors.raise_any()
    assert cpf is not None and email is not None and name is not None  # nosec B101 # typing
    return SelfRegistration(kind, cpf, email, name, sex, secondary, locale)


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    roles: list[str]
    locale: str


def staff_member(data: Mapping[str, Any]) -> StaffMember:
    """An admin creates staff with one or more roles; they set their password later."""
    errors = Errors()
    email = read_email(data, "email", errors)
    name = read_text(data, "name", errors)
    roles = data.get("roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= set(STAFF_ROLES):
        errors.add("roles", f"Give one or more of: {', '.join(STAFF_ROLES)}.")
        roles = []
    locale = read_choice(data, "locale", LOCALES, errors, required=False) or DEFAULT_LOCALE
    errors.raise_any()
    assert email is not None and name is not None  # nosec B101 # type narrowing only
    return StaffMember(email, name, [r for r in STAFF_ROLES if r in roles], locale)


def require_terms(data: Mapping[str, Any], errors: Errors) -> None:
    """Without accepting the terms, registration is refused (000)."""
    if data.get("accepted_terms") is not True:
        errors.add("accepted_terms", "The terms must be accepted.")


def check_new_password(data: Mapping[str, Any], errors: Errors, field: str = "password") -> None:
    """The password policy (000), and the confirmation typed the same."""
    for message in policy_errors(data.get(field)):
        errors.add(field, message)
    if data.get(f"{field}_confirmation") != data.get(field):
        errors.add(f"{field}_confirmation", "Does not match the password.")


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


MAX_SITES = 100


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
    """An operator pre-registers a provider: document (CNPJ or CPF), legal name, e-mail and
    optional sites, each ``{name, email}`` (003)."""
    errors = Errors()
    document, person_type = "", "organisation"
    try:
        document, person_type = normalise_document(data.get("document"))
    except ValueError as exc:
        errors.add("document", str(exc))
    legal_name = read_text(data, "legal_name", errors)
    email = read_email(data, "email", errors)
    secondary = read_email(data, "secondary_email", errors, required=False)
    locale = read_choice(data, "locale", LOCALES, errors, required=False) or DEFAULT_LOCALE
    sites = data.get("sites")
    if sites is not None and (not isinstance(sites, list) or not 0 < len(sites) <= MAX_SITES):
        errors.add("sites", f"Give between 1 and {MAX_SITES} sites, or none.")
        sites = None
    for index, site in enumerate(sites or []):
        site_errors = Errors()
        read_text(site if isinstance(site, Mapping) else {}, "name", site_errors)
        read_email(site if isinstance(site, Mapping) else {}, "email", site_errors)
        errors.fields.update({f"sites.{index}.{k}": v for k, v in site_errors.fields.items()})
    errors.raise_any()
    assert legal_name is not None and email is not None  # nosec B101 # type narrowing only
    return Preregistration(document, person_type, legal_name, email, secondary, locale,
                           plan_sites(legal_name, email, sites), bool(sites))


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
    errors = Errors()
    provider_type = read_choice(data, "provider_type", PROVIDER_TYPES, errors,
                            required=current_provider_type is None)
    if provider_type and current_provider_type and provider_type != current_provider_type:
        errors.add("provider_type", f"This provider is already registered as "
                                    f"{current_provider_type}.")
    sex = read_choice(data, "sex", SEXES, errors, required=person_type == "individual")
    email = read_email(data, "email", errors, required=email_shared)
    if email_shared and "email" in errors.fields:
        errors.fields["email"] = ["This site shares its e-mail with another site: give an "
                                  "e-mail of its own."]
    secondary = read_email(data, "secondary_email", errors, required=False)
    check_new_password(data, errors)
    require_terms(data, errors)
    errors.raise_any()
    return Completion(provider_type or current_provider_type, sex,  # type: ignore[arg-type]
                      email, secondary)
