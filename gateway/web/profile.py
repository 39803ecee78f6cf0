""""Meu cadastro": the person's account (name, secondary e-mail, e-mail, password, deleting
it) and, on the provider side with ``commercial``, the provider profile (address, phones,
hours, description, images). Each form is one API call; the API judges every rule."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.client import Answer
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, screen
from ponte.roles import COMMERCIAL

ADDRESS_PARTS = ("street", "number", "complement", "district", "city", "state", "postal_code")
# the profile's fields as the person reads them (also what ``missing_profile`` names)
PROFILE_LABELS = {"address.street": N_("Street"), "address.number": N_("Number"),
                  "address.complement": N_("Complement"), "address.district": N_("District"),
                  "address.city": N_("City"), "address.state": N_("State (UF)"),
                  "address.postal_code": N_("Postal code (CEP)"), "phones": N_("Phones"),
                  "opening_hours": N_("Opening hours"), "description": N_("Description")}
# the API's field names → the form's (three forms on one page each ask for a password);
# these are names of form fields, not passwords
EMAIL_FIELDS = {"current_password": "email_password", "new_email": "new_email"}  # nosec B105
PASSWORD_FIELDS = {"current_password": "password_current"}  # nosec B105
PASSWORD_FIELDS.update({name: name for name in ("new_password", "new_password_confirmation")})
DELETE_FIELDS = {"current_password": "delete_password"}  # nosec B105


def missing_labels(s: Screen, missing: list[str]) -> list[str]:
    """``GET /me``'s ``missing_profile`` as the person reads it."""
    return [s._(PROFILE_LABELS[name]) if name in PROFILE_LABELS else name for name in missing]


def _profile_provider(s: Screen) -> str | None:
    """The provider whose profile this person edits: the one acted for, with ``commercial``."""
    person = s.person()
    if person.provider_id and COMMERCIAL in person.provider_roles:
        return person.provider_id
    return None


def _profile_values(provider: dict[str, Any]) -> dict[str, Any]:
    profile = provider.get("profile") or {}
    address = profile.get("address") or {}
    values = {f"address.{part}": address.get(part) or "" for part in ADDRESS_PARTS}
    values.update(phones="\n".join(profile.get("phones") or []),
                  opening_hours=profile.get("opening_hours") or "",
                  description=profile.get("description") or "")
    return values


def _page(s: Screen, *, errors: dict | None = None, values: dict | None = None,
          saved: str = "", status: int = 200) -> Response:
    me = s.me()
    provider_id = _profile_provider(s)
    provider: dict[str, Any] | None = None
    shown = {"name": me.get("name") or "", "secondary_email": me.get("secondary_email") or ""}
    if provider_id:
        answer = s.api("GET", f"/api/v1/providers/{provider_id}")
        if not answer.ok:
            return s.problem_page(answer)
        provider = answer.data
        shown.update(_profile_values(provider))
    shown.update(values or {})
    missing = missing_labels(s, me.get("missing_profile") or []) if provider_id else []
    return s.render("my_account.html", status=status, me=me, provider=provider,
                    errors=errors or {}, values=shown, saved=saved, missing=missing,
                    profile_labels={k: s._(v) for k, v in PROFILE_LABELS.items()})


def _refused(s: Screen, answer: Answer, fields: dict[str, str] | None = None,
             known: set[str] | None = None) -> Response:
    if answer.status in FORM_ERROR_STATUSES:
        return _page(s, errors=form_errors(answer, fields, known), values=kept(s.form),
                     status=answer.status)
    return s.problem_page(answer)


@screen("GET", "/my-account", summary="Screen: Meu cadastro, account and provider profile (HTML)")
def my_account(s: Screen) -> Response:
    return _page(s, saved=s.request.args.get("saved", ""))


@screen("POST", "/my-account", summary="Screen: save the account's name and secondary e-mail")
def account_posted(s: Screen) -> Response:
    body = {"name": s.form.get("name", "").strip(),
            "secondary_email": s.form.get("secondary_email", "").strip() or None}
    answer = s.api("PATCH", "/api/v1/me", body)
    if answer.ok:
        return s.redirect("/my-account?saved=account")
    return _refused(s, answer, known={"name", "secondary_email"})


@screen("POST", "/my-account/email", summary="Screen: change the account's e-mail")
def email_posted(s: Screen) -> Response:
    answer = s.api("POST", "/api/v1/me/email",
                   {"current_password": s.form.get("email_password", ""),
                    "new_email": s.form.get("new_email", "").strip()})
    if answer.ok:
        return s.redirect("/my-account?saved=email")
    return _refused(s, answer, EMAIL_FIELDS, set(EMAIL_FIELDS.values()))


@screen("POST", "/my-account/password", summary="Screen: change the account's password")
def password_posted(s: Screen) -> Response:
    answer = s.api("POST", "/api/v1/me/password", {
        "current_password": s.form.get("password_current", ""),
        "new_password": s.form.get("new_password", ""),
        "new_password_confirmation": s.form.get("new_password_confirmation", "")})
    if answer.ok:
        return s.redirect("/my-account?saved=password")
    return _refused(s, answer, PASSWORD_FIELDS, set(PASSWORD_FIELDS.values()))


def _text(s: Screen, name: str) -> str | None:
    return s.form.get(name, "").strip() or None


@screen("POST", "/my-account/profile", summary="Screen: save the provider profile")
def profile_posted(s: Screen) -> Response:
    provider_id = _profile_provider(s)
    if provider_id is None:
        return s.problem_page(Answer(403, None))
    body = {"address": {part: _text(s, f"address.{part}") for part in ADDRESS_PARTS},
            "phones": [line.strip() for line in s.form.get("phones", "").splitlines()
                       if line.strip()],
            "opening_hours": _text(s, "opening_hours"),
            "description": _text(s, "description")}
    answer = s.api("PATCH", f"/api/v1/providers/{provider_id}/profile", body)
    if answer.ok:
        return s.redirect("/my-account?saved=profile")
    if answer.status in FORM_ERROR_STATUSES:
        fields = {key: "phones" for key in answer.errors if key.startswith("phones")}
        return _page(s, errors=form_errors(answer, fields, set(PROFILE_LABELS)),
                     values=kept(s.form), status=answer.status)
    return s.problem_page(answer)


@screen("POST", "/my-account/images", summary="Screen: add a provider profile image")
def image_posted(s: Screen) -> Response:
    provider_id = _profile_provider(s)
    if provider_id is None:
        return s.problem_page(Answer(403, None))
    chosen = s.request.files.get("file")
    if chosen is None or not chosen.filename:
        return _page(s, errors={"file": [s._("Choose a jpg or png image.")]}, status=422)
    answer = s.api("POST", f"/api/v1/providers/{provider_id}/images", files={"file": chosen})
    if answer.ok:
        return s.redirect("/my-account?saved=image")
    if answer.status in (*FORM_ERROR_STATUSES, 413, 415):
        messages = [m for ms in answer.errors.values() for m in ms] or [
            s._("This file could not be added.")]
        return _page(s, errors={"file": messages}, status=answer.status)
    return s.problem_page(answer)


@screen("POST", "/my-account/images/delete", summary="Screen: remove a provider profile image")
def image_deleted(s: Screen) -> Response:
    provider_id = _profile_provider(s)
    if provider_id is None:
        return s.problem_page(Answer(403, None))
    image_id = s.form.get("image_id", "")
    answer = s.api("DELETE", f"/api/v1/providers/{provider_id}/images/{quote(image_id, safe='')}")
    if answer.ok:
        return s.redirect("/my-account?saved=image-removed")
    return s.problem_page(answer)


@screen("POST", "/my-account/delete", summary="Screen: delete the account (current password)")
def account_deleted(s: Screen) -> Response:
    answer = s.api("DELETE", "/api/v1/me",
                   {"current_password": s.form.get("delete_password", "")})
    if answer.ok:
        s.end()
        return s.redirect("/sign-in")
    return _refused(s, answer, DELETE_FIELDS, set(DELETE_FIELDS.values()))
