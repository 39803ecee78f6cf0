"""What the institution's screens share (seed 002): which institutions the signed-in person
manages or attends, the page that picks one, files sent and CSVs read through the API (a
request's files are downloaded through ``/attachments/{id}``, gateway/web/files.py).

The API has no "my institutions": a manager is found in ``GET /institutions`` (its
``managers``; the admin manages every institution), an attendant by the institution's ratings
answering her (only its approved attendants may read them). The screens then carry the
institution in their address, so this is asked only on the menu's landing pages.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.web.client import Answer
from gateway.web.screen import ApiFailure, Screen
from ponte.roles import ADMIN

MANAGER_SIDE, ATTENDANT_SIDE, STAFF_SIDE = "manager", "attendant", "staff"


def institutions(s: Screen) -> list[dict[str, Any]]:
    """Every institution, by name (the list is public)."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = s.api("GET", "/api/v1/institutions", query={"limit": 100, "cursor": cursor})
        if not answer.ok:
            raise ApiFailure(answer)
        found.extend(answer.data["items"])
        cursor = answer.data.get("next_cursor")
        if not cursor:
            return found


def managed(s: Screen, every: list[dict[str, Any]]) -> list[dict[str, Any]]:
    person = s.person()
    if ADMIN in person.roles:
        return every
    return [i for i in every if any(m["id"] == person.account_id for m in i["managers"])]


def attended(s: Screen, every: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in every
            if s.api("GET", f"/api/v1/institutions/{i['id']}/ratings", query={"limit": 1}).ok]


def mine(s: Screen, side: str) -> list[dict[str, Any]]:
    """The institutions the person works at on ``side`` (manager, attendant, or either)."""
    every = institutions(s)
    if side == MANAGER_SIDE:
        return managed(s, every)
    if side == ATTENDANT_SIDE:
        return attended(s, every)
    ids = {i["id"] for i in managed(s, every)} | {i["id"] for i in attended(s, every)}
    return [i for i in every if i["id"] in ids]


def landing(s: Screen, side: str, title: str, address: Callable[[str], str]) -> Response:
    """A menu entry's page: straight to the one institution, or a choice among several."""
    found = mine(s, side)
    if len(found) == 1:
        return s.redirect(address(found[0]["id"]))
    return s.render("institution_choose.html", title=title, side=side,
                    choices=[(i, address(i["id"])) for i in found])


def institution(s: Screen, institution_id: str) -> dict[str, Any]:
    """One institution by id (from the public list); an unknown one is the 404 page."""
    for found in institutions(s):
        if found["id"] == institution_id:
            return found
    raise ApiFailure(Answer(404, None))


def param(s: Screen) -> str:
    """The address's id, as one segment of the API's path."""
    return quote(s.call.params["id"], safe="")


def unreadable(answer: Answer) -> Answer:
    """An id or filter the API cannot read (400, 422) is, to a screen, nothing there (404)."""
    return Answer(404, None) if answer.status in (400, 422) else answer


def refused(s: Screen, answer: Answer) -> Response:
    """The page of an API refusal; never a 500 for an address typed wrong."""
    return s.problem_page(unreadable(answer))


def upload(s: Screen, name: str = "files") -> tuple[list[str], list[str]]:
    """The files of the form's ``name`` input sent to ``POST /uploads``: their ids, and the
    refusals (type, size) as messages."""
    ids, refused = [], []
    for file in s.request.files.getlist(name):
        if not file or not file.filename:
            continue
        answer = s.api("POST", "/api/v1/uploads", files={
            "file": (file.stream, file.filename, file.mimetype or "application/octet-stream")})
        if answer.ok:
            ids.append(answer.data["id"])
        else:
            detail = answer.data.get("detail") if isinstance(answer.data, dict) else None
            refused.append(f"{file.filename}: {detail or answer.status}")
    return ids, refused


def passthrough(answer: Answer, filename: str) -> Response:
    """A file of the API (the agenda's CSV) handed to the browser as it came, saved as
    ``filename``."""
    response = Response(answer.raw, status=answer.status,
                        content_type=answer.headers.get("Content-Type",
                                                        "application/octet-stream"))
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
