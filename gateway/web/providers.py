"""Anyone: "Encontre um prestador" (active providers by name, type and city) and a provider's
page (profile, images, hours) with "Agendar", which opens the booking screen."""
from __future__ import annotations

from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.web.client import Answer
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors
from gateway.web.render import PROVIDER_TYPE_LABELS
from gateway.web.screen import Screen, screen

FILTERS = ("q", "provider_type", "city")


@screen("GET", "/providers", signed_in=False, summary="Screen: Encontre um prestador (HTML)")
def find(s: Screen) -> Response:
    chosen = {name: s.request.args.get(name, "").strip() for name in FILTERS}
    searched = any(chosen.values())
    answer = s.api("GET", "/api/v1/providers",
                   query={**{k: v or None for k, v in chosen.items()}, "limit": 50,
                          "cursor": s.request.args.get("cursor")})
    errors: dict[str, list[str]] = {}
    items: list[dict] = []
    if answer.ok:
        items = answer.data["items"]
    elif answer.status in FORM_ERROR_STATUSES:
        errors = form_errors(answer, known=set(FILTERS))
    else:
        return s.problem_page(answer)
    return s.render("providers.html", status=200 if answer.ok else answer.status, items=items,
                    values=chosen, errors=errors, searched=searched,
                    next_cursor=answer.data.get("next_cursor") if answer.ok else None,
                    type_options=[(k, s._(v)) for k, v in PROVIDER_TYPE_LABELS.items()])


@screen("GET", "/providers/{id}", signed_in=False, summary="Screen: a provider's page (HTML)")
def provider(s: Screen) -> Response:
    answer = s.api("GET", f"/api/v1/providers/{quote(s.call.params['id'], safe='')}")
    if answer.status in FORM_ERROR_STATUSES:  # an address that names no provider
        return s.problem_page(Answer(404, None))
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("provider.html", provider=answer.data)
