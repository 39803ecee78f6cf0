"""The attendant's "Avaliações" (seed 002, §5: approve or reject the citizens' comments, never
on one's own requests) and "Agenda do dia" with "Baixar CSV" (the day's meetings and
appointments, in the institution's local time)."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from gateway.i18n import N_, operator_zone
from gateway.web.institution import (
    ATTENDANT_SIDE,
    STAFF_SIDE,
    institution,
    landing,
    param,
    passthrough,
    refused,
)
from gateway.web.screen import Screen, screen

RATING_LABELS = {"pending": N_("Pending"), "approved": N_("Approved"),
                 "rejected": N_("Rejected")}
KIND_LABELS = {"meeting": N_("Video meeting"), "appointment": N_("Appointment")}


@screen("GET", "/institution/ratings", summary="Screen: ratings to moderate (menu)")
def ratings_landing(s: Screen) -> Response:
    return landing(s, ATTENDANT_SIDE, s._("Ratings"), lambda iid: f"/institution/{iid}/ratings")


def own(s: Screen, rating: dict[str, Any]) -> bool:
    """Whether the rated request was assigned to the person (she may not moderate it)."""
    answer = s.api("GET", f"/api/v1/service-requests/{rating['request_id']}")
    assigned = (answer.data.get("assigned_attendant") or {}) if answer.ok else {}
    return assigned.get("id") == s.person().account_id


@screen("GET", "/institution/{id}/ratings", summary="Screen: an institution's ratings")
def ratings(s: Screen) -> Response:
    iid = param(s)
    status = s.request.args.get("status", "pending") or None
    answer = s.api("GET", f"/api/v1/institutions/{iid}/ratings",
                   query={"status": status, "limit": 100})
    if not answer.ok:
        return refused(s, answer)
    items = [{**rating, "own": own(s, rating)} if rating["status"] == "pending"
             else rating for rating in answer.data["items"]]
    return s.render("institution_ratings.html", institution=institution(s, iid), ratings=items,
                    shown=status, rating_labels=RATING_LABELS)


@screen("POST", "/institution/ratings/{id}/moderate", summary="Screen: moderate a rating")
def moderate(s: Screen) -> Response:
    approved = s.form.get("approved") == "yes"
    answer = s.api("POST", f"/api/v1/ratings/{param(s)}/moderate",
                   {"approved": approved, "reason": s.form.get("reason") or None})
    if not answer.ok:
        return refused(s, answer)
    return s.redirect(f"/institution/{answer.data['institution_id']}/ratings")


@screen("GET", "/institution/agenda", summary="Screen: the day's agenda (menu)")
def agenda_landing(s: Screen) -> Response:
    return landing(s, STAFF_SIDE, s._("Daily agenda"), lambda iid: f"/institution/{iid}/agenda")


@screen("GET", "/institution/{id}/agenda", summary="Screen: an institution's daily agenda")
def agenda(s: Screen) -> Response:
    iid = param(s)
    day = s.request.args.get("date") or None
    answer = s.api("GET", f"/api/v1/institutions/{iid}/agenda", query={"date": day})
    if answer.status in (400, 422):
        today = s.api("GET", f"/api/v1/institutions/{iid}/agenda")
        if not today.ok:
            return refused(s, today)
        return s.render("institution_agenda.html", status=answer.status,
                        institution=institution(s, iid), agenda=today.data, typed=day,
                        errors={"date": answer.errors.get("date")
                                or list(answer.errors.values())[0]},
                        kind_labels=KIND_LABELS)
    if not answer.ok:
        return refused(s, answer)
    return s.render("institution_agenda.html", institution=institution(s, iid),
                    agenda=answer.data, typed=answer.data["date"], errors={},
                    kind_labels=KIND_LABELS)


@screen("GET", "/institution/{id}/agenda.csv", summary="Screen: the daily agenda as CSV")
def agenda_csv(s: Screen) -> Response:
    """The API's CSV as it came, read with the session's token, saved under a day's name."""
    iid = param(s)
    day = s.request.args.get("date") or datetime.now(operator_zone()).date().isoformat()
    answer = s.api("GET", f"/api/v1/institutions/{iid}/agenda",
                   query={"date": day, "format": "csv"})
    if not answer.ok:
        return refused(s, answer)
    acronym = re.sub(r"[^A-Za-z0-9_-]+", "-", institution(s, iid)["acronym"]).strip("-")
    return passthrough(answer, f"agenda-{acronym or 'instituicao'}-{day}.csv")
