"""Files on the portal's forms: the files a form carries go to ``POST /api/v1/uploads`` one by
one, and what was uploaded is kept (as hidden ``attachment`` fields, ``<id>:<filename>``) when
the form comes back with errors, so nothing is chosen twice. ``/attachments/{id}`` downloads an
attachment through ``GET /api/v1/attachments/{id}``: the API judges who may see it."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.web.client import Answer
from gateway.web.screen import Screen, screen

KEPT = "attachment"  # hidden fields: "<upload id>:<file name>"
CHOSEN = "files"  # the form's file input
PASSED_ON = ("Content-Type", "Content-Disposition", "Content-Length", "X-Content-Type-Options")


@dataclass
class Uploads:
    """The files of one posted form: the uploads it holds (kept ones first) and the API's
    refusals of the new ones (``errors``, keyed by the file input)."""

    files: list[dict[str, str]] = field(default_factory=list)  # {id, filename}
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [f["id"] for f in self.files]


def kept_files(s: Screen) -> list[dict[str, str]]:
    """The uploads an earlier try of this form already sent."""
    files = []
    for value in s.form.getlist(KEPT):
        upload_id, _, filename = value.partition(":")
        if upload_id:
            files.append({"id": upload_id, "filename": filename or upload_id})
    return files


def upload_chosen(s: Screen, name: str = CHOSEN) -> Uploads:
    """Send each file chosen in the input ``name`` to the API, after the ones kept; a refused
    file (too large, wrong type) is named in ``errors[name]``."""
    uploads = Uploads(files=kept_files(s))
    for chosen in s.request.files.getlist(name):
        if not chosen.filename:
            continue
        answer = s.api("POST", "/api/v1/uploads", files={
            "file": (chosen.stream, chosen.filename, chosen.content_type)})
        if answer.status == 201:
            uploads.files.append({"id": answer.data["id"], "filename": answer.data["filename"]})
        else:
            messages = [m for ms in answer.errors.values() for m in ms] or [
                s._("This file could not be sent.")]
            uploads.errors.setdefault(name, []).extend(
                f"{chosen.filename}: {message}" for message in messages)
    return uploads


@screen("GET", "/attachments/{id}", summary="Screen: download an attachment one may see")
def attachment(s: Screen) -> Response:
    return download(s, s.call.params["id"])


def download(s: Screen, upload_id: str) -> Response:
    """The file, fetched with the person's session (the browser holds no token): its bytes, or
    the API's redirect to object storage; a malformed id is a page that does not exist."""
    answer = s.api("GET", f"/api/v1/attachments/{quote(upload_id, safe='')}")
    if answer.status == 302 and answer.headers.get("Location"):
        return Response(status=302, headers={"Location": answer.headers["Location"]})
    if not answer.ok:
        return s.problem_page(Answer(404, None) if answer.status in (400, 422) else answer)
    return Response(answer.raw, status=200, headers={
        name: answer.headers[name] for name in PASSED_ON if name in answer.headers})
