"""Who may call what: the permission matrix of the gateway, as one table beside the route table.

One row per route (``"METHOD path"``, as ``Route.endpoint``) of :data:`gateway.service.API`,
giving for every kind of caller the expected outcome on objects that belong to provider A and
institution X: :data:`ALLOW`, or the exact refusal (401, 403 or 404). Routes that serve no data
of anyone (operational probes and the HTML pages behind e-mailed links) are listed in
:data:`OUTSIDE_MATRIX` instead. ``tests/e2e/test_permission_matrix.py`` checks every cell against
the running system, and fails when a route has no row or a row has no route.

The kinds of caller (:data:`CALLERS`):
- ``anonymous``: no token;
- ``citizen``: the citizen who owns the service requests, appointments and ratings used;
- ``provider_a`` / ``provider_b``: provider logins; A owns the objects, B is a stranger to them;
- ``secretary_a_<role>``: a secretary of A holding only that role, one per provider role; for a
  route needing role R the other three are "a secretary of A without the role";
- ``secretary_b``: a secretary of B holding every role for B, and none for A;
- ``operator``, ``auditor``, ``servant`` (a servant attendant of no institution), ``admin``;
- ``manager_x`` / ``attendant_x``: manager and (approved) attendant of institution X, which owns
  the services and requests used; ``manager_y`` / ``attendant_y``: the same for institution Y.

What the refusals mean (API.md): 401 no token; 403 the account may not use the route (wrong kind
or staff role), or it acts for the provider / belongs to the institution without what the route
needs; 404 the object belongs to someone the caller may not see. Where the two runtimes' rules
differ by design they are spelt out per row, never guessed.
"""
from __future__ import annotations

from ponte.roles import AUTHORIZATIONS, BILLING, COMMERCIAL, MANAGE_RELATIONSHIPS, PROVIDER_ROLES

ALLOW = "allow"
Outcome = str | int  # ALLOW, 401, 403 or 404

ANONYMOUS, CITIZEN = "anonymous", "citizen"
PROVIDER_A, PROVIDER_B = "provider_a", "provider_b"
SECRETARY_A = {role: f"secretary_a_{role}" for role in PROVIDER_ROLES}
SECRETARY_B = "secretary_b"
OPERATOR, AUDITOR, SERVANT, ADMIN = "operator", "auditor", "servant", "admin"
MANAGER_X, ATTENDANT_X, MANAGER_Y, ATTENDANT_Y = ("manager_x", "attendant_x", "manager_y",
                                                  "attendant_y")

CALLERS: tuple[str, ...] = (ANONYMOUS, CITIZEN, PROVIDER_A, PROVIDER_B, *SECRETARY_A.values(),
                            SECRETARY_B, OPERATOR, AUDITOR, MANAGER_X, ATTENDANT_X, MANAGER_Y,
                            ATTENDANT_Y, SERVANT, ADMIN)
KIND = {ANONYMOUS: None, CITIZEN: "citizen", PROVIDER_A: "provider", PROVIDER_B: "provider",
        **{name: "secretary" for name in SECRETARY_A.values()}, SECRETARY_B: "secretary",
        **{name: "staff" for name in (OPERATOR, AUDITOR, SERVANT, ADMIN, MANAGER_X, ATTENDANT_X,
                                      MANAGER_Y, ATTENDANT_Y)}}
STAFF = frozenset(name for name, kind in KIND.items() if kind == "staff")
STAFF_ROLES_OF = {OPERATOR: ("operator",), AUDITOR: ("auditor",), SERVANT: ("servant",),
                  ADMIN: ("admin",), MANAGER_X: ("manager",), MANAGER_Y: ("manager",),
                  ATTENDANT_X: ("servant",), ATTENDANT_Y: ("servant",)}
DESK = frozenset({OPERATOR, AUDITOR, ADMIN})  # operator staff: admin passes every staff role

# Public routes that are no one's data: answered alike to everyone, checked only for not
# asking for a token.
OUTSIDE_MATRIX: frozenset[str] = frozenset({
    "GET /healthz", "GET /readyz", "GET /metrics", "GET /api/openapi.json", "GET /api/docs",
    "GET /api/docs/static/{name}",
    "GET /registration", "POST /registration", "GET /password-reset", "POST /password-reset",
    "GET /forgot-password", "POST /forgot-password", "GET /terms", "GET /assets/{name}",
    # the portal's screens (gateway/web): each reads and writes through the API's own routes
    "GET /", "GET /sign-in", "POST /sign-in", "POST /sign-out", "GET /sign-up", "POST /sign-up",
    "POST /language", "POST /acting-for", "GET /notifications", "POST /notifications/read",
    "POST /notifications/read-all", "POST /notifications/stream-ticket",
    "GET /notifications/preferences", "POST /notifications/preferences",
    "GET /services", "GET /services/{id}", "GET /services/{id}/request",
    "POST /services/{id}/request", "GET /my-requests", "GET /my-requests/{id}",
    "POST /my-requests/{id}/follow-ups", "POST /my-requests/{id}/rating",
    "GET /providers/{id}/book", "POST /providers/{id}/book", "GET /my-appointments",
    "GET /appointments", "GET /appointments/{id}", "POST /appointments/{id}/cancel",
    "GET /attachments/{id}",
    # the provider network's screens (gateway/web: profile, network, bulletins, staff, providers)
    "GET /my-account", "POST /my-account", "POST /my-account/email", "POST /my-account/password",
    "POST /my-account/profile", "POST /my-account/images", "POST /my-account/images/delete",
    "POST /my-account/delete", "GET /relationships", "GET /relationships/new",
    "POST /relationships/new", "POST /relationships/{id}/end", "POST /relationships/{id}/roles",
    "GET /invitations", "POST /invitations/{id}/accept", "POST /invitations/{id}/decline",
    "GET /bulletins", "POST /bulletins", "GET /documents/{id}", "GET /operator/providers",
    "POST /operator/providers", "GET /admin/team", "POST /admin/team", "GET /admin/institutions",
    "POST /admin/institutions", "POST /admin/institutions/{id}/managers", "GET /providers",
    "GET /providers/{id}",
    "GET /authorizations", "GET /authorizations/export.csv", "GET /authorizations/new",
    "POST /authorizations/new", "GET /authorizations/procedures", "GET /authorizations/{id}",
    "POST /authorizations/{id}/documents", "POST /authorizations/{id}/appeal",
    "POST /authorizations/{id}/cancel", "POST /authorizations/{id}/submit",
    "POST /authorizations/{id}/items", "POST /authorizations/{id}/items/{item_id}/remove",
    "POST /authorizations/{id}/decision", "GET /audit-queue", "GET /authorization-codes",
    "GET /payments", "GET /payments/new", "POST /payments/new", "GET /inquiries",
    "GET /inquiries/new", "POST /inquiries/new", "GET /inquiries/{id}",
    "POST /inquiries/{id}/messages",
    # the institution's screens (seed 002)
    "GET /institution/services", "GET /institution/{id}/services",
    "GET /institution/{id}/services/new", "POST /institution/{id}/services/new",
    "GET /institution/services/{id}", "POST /institution/services/{id}",
    "POST /institution/services/{id}/publish", "POST /institution/services/{id}/unpublish",
    "GET /institution/access", "POST /institution/access", "GET /institution/attendants",
    "GET /institution/{id}/attendants", "POST /institution/attendant-requests/{id}/approve",
    "POST /institution/attendant-requests/{id}/reject", "GET /institution/panel",
    "GET /institution/{id}/panel", "GET /institution/requests/{id}",
    "POST /institution/requests/{id}/start-analysis", "GET /institution/requests/{id}/approve",
    "POST /institution/requests/{id}/approve", "GET /institution/requests/{id}/reject",
    "POST /institution/requests/{id}/reject", "GET /institution/requests/{id}/conclude",
    "POST /institution/requests/{id}/conclude", "GET /institution/requests/{id}/follow-ups",
    "POST /institution/requests/{id}/follow-ups", "POST /institution/requests/{id}/checklist",
    "GET /institution/requests/{id}/meetings", "POST /institution/requests/{id}/meetings",
    "GET /institution/ratings", "GET /institution/{id}/ratings",
    "POST /institution/ratings/{id}/moderate", "GET /institution/agenda",
    "GET /institution/{id}/agenda", "GET /institution/{id}/agenda.csv",
})


def only(allowed: set[str] | frozenset[str], **refusals: int) -> dict[str, Outcome]:
    """``allowed`` callers pass; the named ones get their refusal; every other caller with a
    token is refused with 403 (the route is not for its kind or role) and anonymous with 401."""
    row: dict[str, Outcome] = {}
    for caller in CALLERS:
        if caller in allowed:
            row[caller] = ALLOW
        elif caller in refusals:
            row[caller] = refusals[caller]
        else:
            row[caller] = 401 if caller == ANONYMOUS else 403
    return row


def public() -> dict[str, Outcome]:
    return {caller: ALLOW for caller in CALLERS}


def anyone() -> dict[str, Outcome]:
    """Every account, of any kind."""
    return only(set(CALLERS) - {ANONYMOUS})


def provider_side(*roles: str, stranger: int = 404, secretary_b: int | None = None,
                  plus: frozenset[str] = frozenset(), **refusals: int) -> dict[str, Outcome]:
    """Provider A's side holding one of ``roles`` (any role when none is named): provider A and
    its secretaries with the role; its secretaries without it get 403. Provider B and B's
    secretary are strangers to A: 404 (``stranger``), except where the edge's one rule answers a
    secretary acting for someone else with 403 (``secretary_b``). ``plus`` are more callers
    (staff) that pass."""
    held = set(roles or PROVIDER_ROLES)
    allowed = {PROVIDER_A, *(SECRETARY_A[r] for r in held), *plus}
    without = {SECRETARY_A[r]: 403 for r in PROVIDER_ROLES if r not in held}
    return only(allowed, **{**without, PROVIDER_B: stranger,
                            SECRETARY_B: secretary_b if secretary_b is not None else stranger,
                            **refusals})


def others(code: int, callers: set[str] | frozenset[str]) -> dict[str, int]:
    return {caller: code for caller in callers}


SECRETARIES = frozenset(name for name, kind in KIND.items() if kind == "secretary")
X_STAFF = {MANAGER_X, ATTENDANT_X, ADMIN}  # who sees institution X's queue: admin is its manager
NOT_OF_X = STAFF - X_STAFF  # staff unrelated to institution X
AUTH_DESK = provider_side(AUTHORIZATIONS, plus=DESK)  # request reads: provider side and desk

ACCESS: dict[str, dict[str, Outcome]] = {
    # -- identity -------------------------------------------------------------------------
    "POST /api/v1/sessions": public(),
    "POST /api/v1/sessions/refresh": public(),
    "DELETE /api/v1/sessions/current": anyone(),
    "GET /api/v1/me": anyone(),
    "PATCH /api/v1/me": anyone(),
    "POST /api/v1/me/email": anyone(),
    "POST /api/v1/me/password": anyone(),
    "DELETE /api/v1/me": anyone(),
    "POST /api/v1/secretaries": public(),
    # provider, or a secretary holding manage_relationships for some provider (B's has it)
    "GET /api/v1/secretaries": only({PROVIDER_A, PROVIDER_B, SECRETARY_A[MANAGE_RELATIONSHIPS],
                                     SECRETARY_B}),
    "POST /api/v1/citizens": public(),
    "POST /api/v1/staff": only({ADMIN}),
    "POST /api/v1/providers": only({OPERATOR, ADMIN}),
    "GET /api/v1/registrations/{token}": public(),
    "POST /api/v1/registrations/{token}": public(),
    "POST /api/v1/password-resets": public(),
    "POST /api/v1/password-resets/{token}": public(),
    # an active provider is public; operators and its side also see its status
    "GET /api/v1/providers": public(),
    "GET /api/v1/providers/{id}": public(),
    # the edge's one rule: a secretary acting for someone else is 403, a provider 404
    "PATCH /api/v1/providers/{id}/profile": provider_side(COMMERCIAL, secretary_b=403),
    "POST /api/v1/providers/{id}/images": provider_side(COMMERCIAL, secretary_b=403),
    "DELETE /api/v1/providers/{id}/images/{image_id}": provider_side(COMMERCIAL,
                                                                     secretary_b=403),
    "GET /api/v1/providers/{id}/images/{image_id}": public(),
    # -- relationships --------------------------------------------------------------------
    "POST /api/v1/providers/{provider_id}/invitations": provider_side(MANAGE_RELATIONSHIPS,
                                                                      secretary_b=403),
    "GET /api/v1/providers/{provider_id}/invitations": provider_side(MANAGE_RELATIONSHIPS,
                                                                     secretary_b=403),
    "GET /api/v1/me/invitations": only(SECRETARIES),
    # an invitation from A to B's secretary: hers alone; other secretaries never see it
    "POST /api/v1/invitations/{id}/accept": only({SECRETARY_B},
                                                 **others(404, SECRETARIES - {SECRETARY_B})),
    "POST /api/v1/invitations/{id}/decline": only({SECRETARY_B},
                                                  **others(404, SECRETARIES - {SECRETARY_B})),
    "GET /api/v1/providers/{provider_id}/relationships": provider_side(MANAGE_RELATIONSHIPS,
                                                                       secretary_b=403),
    "GET /api/v1/me/relationships": only(SECRETARIES),
    # a relationship of A with another secretary
    "PATCH /api/v1/relationships/{id}": provider_side(MANAGE_RELATIONSHIPS),
    "POST /api/v1/relationships/{id}/end": provider_side(MANAGE_RELATIONSHIPS),
    "GET /api/v1/providers/{provider_id}/accreditations": provider_side(secretary_b=403),
    # -- files ----------------------------------------------------------------------------
    "POST /api/v1/uploads": anyone(),
    # a file provider A uploaded and attached to its authorization request: the uploader and
    # whoever may see the request; to anyone else it does not exist
    "GET /api/v1/attachments/{id}": only({PROVIDER_A, SECRETARY_A[AUTHORIZATIONS], *DESK},
                                         **others(404, set(CALLERS) - {ANONYMOUS})),
    # -- authorizations -------------------------------------------------------------------
    "GET /api/v1/demand-types": anyone(),
    "GET /api/v1/procedures": anyone(),
    "POST /api/v1/procedures": only({OPERATOR, ADMIN}),
    "PATCH /api/v1/procedures/{code}": only({OPERATOR, ADMIN}),
    "POST /api/v1/authorization-requests": provider_side(AUTHORIZATIONS),
    "POST /api/v1/authorization-requests/{id}/items": provider_side(AUTHORIZATIONS),
    "DELETE /api/v1/authorization-requests/{id}/items/{item_id}": provider_side(AUTHORIZATIONS),
    "POST /api/v1/authorization-requests/{id}/submit": provider_side(AUTHORIZATIONS),
    "GET /api/v1/authorization-requests": AUTH_DESK,
    "GET /api/v1/audit-queue": only(DESK),
    "GET /api/v1/authorization-requests/{id}": AUTH_DESK,
    "GET /api/v1/authorization-requests/{id}/interactions": AUTH_DESK,
    "POST /api/v1/authorization-requests/{id}/interactions": AUTH_DESK,
    "POST /api/v1/authorization-requests/{id}/cancel": provider_side(AUTHORIZATIONS),
    "POST /api/v1/authorization-requests/{id}/decision": only({AUDITOR, ADMIN}),
    "POST /api/v1/authorization-requests/{id}/appeal": provider_side(AUTHORIZATIONS),
    # a code is asked for by its value: to a secretary of A without authorizations it is as
    # unknown as to a stranger (the request itself answers her 403)
    "GET /api/v1/authorization-codes/{code}": provider_side(
        AUTHORIZATIONS, plus=DESK,
        **others(404, {SECRETARY_A[r] for r in PROVIDER_ROLES if r != AUTHORIZATIONS})),
    "POST /api/v1/payments": only({OPERATOR, ADMIN}),
    "GET /api/v1/payments": provider_side(BILLING, plus=frozenset({OPERATOR, ADMIN})),
    "POST /api/v1/inquiries": provider_side(AUTHORIZATIONS, BILLING),
    "GET /api/v1/inquiries": provider_side(AUTHORIZATIONS, BILLING,
                                           plus=frozenset({OPERATOR, ADMIN})),
    "GET /api/v1/inquiries/{id}": provider_side(AUTHORIZATIONS, BILLING,
                                                plus=frozenset({OPERATOR, ADMIN})),
    "POST /api/v1/inquiries/{id}/messages": provider_side(AUTHORIZATIONS, BILLING,
                                                          plus=frozenset({OPERATOR, ADMIN})),
    # -- attendance: institutions, catalogue, attendant access ------------------------------
    "POST /api/v1/institutions": only({ADMIN}),
    "GET /api/v1/institutions": anyone(),
    "POST /api/v1/institutions/{id}/managers": only({ADMIN}),
    # admin may act as any institution's manager; Y's manager is refused X's
    "POST /api/v1/institutions/{id}/services": only({MANAGER_X, ADMIN}),
    "PATCH /api/v1/services/{id}": only({MANAGER_X, ADMIN}),  # a published service
    "POST /api/v1/services/{id}/publish": only({MANAGER_X, ADMIN}, manager_y=404),  # a draft
    "POST /api/v1/services/{id}/unpublish": only({MANAGER_X, ADMIN}),  # a published one
    "GET /api/v1/services": public(),
    "GET /api/v1/services/{id}": public(),
    "GET /api/v1/services/{id}/ratings": public(),
    "GET /api/v1/institutions/{id}/services": only({MANAGER_X, ADMIN}),
    # every servant may ask (an attendant of X is answered 409: already approved)
    "POST /api/v1/institutions/{id}/attendant-requests": only({SERVANT, ATTENDANT_X,
                                                               ATTENDANT_Y, ADMIN}),
    "GET /api/v1/institutions/{id}/attendant-requests": only({MANAGER_X, ADMIN}),
    # another servant's request to X: Y's manager may not know it exists
    "POST /api/v1/attendant-requests/{id}/approve": only({MANAGER_X, ADMIN}, manager_y=404),
    "POST /api/v1/attendant-requests/{id}/reject": only({MANAGER_X, ADMIN}, manager_y=404),
    # -- attendance: service requests (the citizen's, at X, assigned to X's attendant) ------
    "POST /api/v1/services/{id}/requests": only({CITIZEN}),
    "GET /api/v1/me/service-requests": only({CITIZEN}),
    "GET /api/v1/institutions/{id}/service-requests": only(X_STAFF),
    "GET /api/v1/service-requests/{id}": only({CITIZEN, *X_STAFF}, **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/start-analysis": only({ATTENDANT_X},
                                                              **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/approve": only({ATTENDANT_X}, **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/reject": only({ATTENDANT_X}, **others(404, NOT_OF_X)),
    "PUT /api/v1/service-requests/{id}/checklist": only({ATTENDANT_X}, **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/follow-ups": only({CITIZEN, ATTENDANT_X},
                                                          **others(404, NOT_OF_X)),
    "GET /api/v1/service-requests/{id}/follow-ups": only({CITIZEN, *X_STAFF},
                                                         **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/meetings": only({ATTENDANT_X}, **others(404, NOT_OF_X)),
    "GET /api/v1/service-requests/{id}/meetings": only({CITIZEN, *X_STAFF},
                                                       **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/conclude": only({ATTENDANT_X}, **others(404, NOT_OF_X)),
    "POST /api/v1/service-requests/{id}/rating": only({CITIZEN}),
    "GET /api/v1/institutions/{id}/ratings": only({ATTENDANT_X}),
    # the rated request is assigned to X's attendant, who may not moderate her own work
    "POST /api/v1/ratings/{id}/moderate": only(set(), **others(404, NOT_OF_X)),
    "GET /api/v1/institutions/{id}/agenda": only(X_STAFF),
    # -- attendance: appointments (the citizen's, at provider A) ----------------------------
    "POST /api/v1/providers/{id}/appointments": only({CITIZEN}),
    "GET /api/v1/providers/{id}/appointments": provider_side(AUTHORIZATIONS, secretary_b=403),
    "POST /api/v1/institutions/{id}/appointments": only({CITIZEN}),
    "GET /api/v1/institutions/{id}/appointments": only(X_STAFF),
    "GET /api/v1/me/appointments": only({CITIZEN}),
    "GET /api/v1/appointments/{id}": only(
        {CITIZEN, PROVIDER_A, SECRETARY_A[AUTHORIZATIONS]},
        **others(404, set(CALLERS) - {ANONYMOUS})),
    "POST /api/v1/appointments/{id}/cancel": only(
        {CITIZEN, PROVIDER_A, SECRETARY_A[AUTHORIZATIONS]},
        **others(404, set(CALLERS) - {ANONYMOUS})),
    # -- notifications ----------------------------------------------------------------------
    "GET /api/v1/notifications": anyone(),
    # one of provider A's notifications: its owner's alone, to anyone else it does not exist
    "POST /api/v1/notifications/{id}/read": only({PROVIDER_A},
                                                 **others(404, set(CALLERS) - {ANONYMOUS})),
    "POST /api/v1/notifications/read-all": anyone(),
    "POST /api/v1/notifications/stream-tickets": anyone(),
    # public at the route (a browser's EventSource sends ?ticket=), but never without a token
    "GET /api/v1/notifications/stream": anyone(),
    "POST /api/v1/bulletins": only({OPERATOR, ADMIN}),
    # every provider and every secretary with an active relationship (all of them here)
    "GET /api/v1/bulletins": only({PROVIDER_A, PROVIDER_B, *SECRETARIES, OPERATOR, ADMIN}),
    "GET /api/v1/me/notification-preferences": anyone(),
    "PUT /api/v1/me/notification-preferences": anyone(),
    "GET /api/v1/notifications/emails": only({ADMIN}),
    "POST /api/v1/notifications/emails/{id}/retry": only({ADMIN}),
}
