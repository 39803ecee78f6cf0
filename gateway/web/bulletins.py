""""Informativos": bulletins and their documents. The provider side (a provider, or a secretary
with an active relationship) reads those addressed to it; the operator reads all and publishes
one (title, body, audience by provider type, documents uploaded first, then named by id)."""
from __future__ import annotations

from werkzeug.wrappers import Response

from gateway.web.files import download
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.render import PROVIDER_TYPE_LABELS
from gateway.web.screen import Screen, screen
from ponte.roles import ADMIN, OPERATOR, STAFF

FIELDS = {"provider_types": "provider_types", "attachment_ids": "files"}
KNOWN = {"title", "body", "provider_types", "files"}


def _publisher(s: Screen) -> bool:
    person = s.person()
    return person.kind == STAFF and bool({OPERATOR, ADMIN} & set(person.roles))


def _page(s: Screen, *, errors: dict | None = None, values: dict | None = None,
          published: bool = False, status: int = 200) -> Response:
    answer = s.api("GET", "/api/v1/bulletins", query={"limit": 50,
                                                     "cursor": s.request.args.get("cursor")})
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("bulletins.html", status=status, items=answer.data["items"],
                    next_cursor=answer.data.get("next_cursor"), publisher=_publisher(s),
                    errors=errors or {}, values=values or {}, published=published,
                    chosen_types=(values or {}).get("provider_types", ()),
                    type_options=[(k, s._(v)) for k, v in PROVIDER_TYPE_LABELS.items()])


@screen("GET", "/bulletins", summary="Screen: Informativos, bulletins and documents (HTML)")
def bulletins(s: Screen) -> Response:
    return _page(s, published=s.request.args.get("published") == "1")


@screen("POST", "/bulletins", summary="Screen: publish a bulletin (operator)")
def publish(s: Screen) -> Response:
    values = {**kept(s.form), "provider_types": s.form.getlist("provider_types")}
    attachment_ids = []
    for chosen in s.request.files.getlist("files"):
        if not chosen.filename:
            continue
        upload = s.api("POST", "/api/v1/uploads", files={"file": chosen})
        if not upload.ok:
            if upload.status in (*FORM_ERROR_STATUSES, 413, 415):
                messages = [f"{chosen.filename}: {m}" for ms in upload.errors.values()
                            for m in ms]
                return _page(s, errors={"files": messages}, values=values,
                             status=upload.status)
            return s.problem_page(upload)
        attachment_ids.append(upload.data["id"])
    body = {"title": s.form.get("title", "").strip(), "body": s.form.get("body", "").strip(),
            "provider_types": values["provider_types"] or None,
            "attachment_ids": attachment_ids or None}
    answer = s.api("POST", "/api/v1/bulletins", body, once=True)
    if answer.ok:
        return s.redirect("/bulletins?published=1")
    if answer.status in FORM_ERROR_STATUSES:
        fields = {key: FIELDS.get(key.split(".")[0], key) for key in answer.errors}
        return _page(s, errors=form_errors(answer, fields, KNOWN), values=values,
                     status=answer.status)
    return s.problem_page(answer)


@screen("GET", "/documents/{id}", summary="Screen: download a document (a bulletin's)")
def document(s: Screen) -> Response:
    return download(s, s.call.params["id"])
