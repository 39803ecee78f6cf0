"""Relationships: a provider side invites secretaries and manages their roles; a secretary answers
invitations and sees whom she acts for. Provider-scoped paths are checked at the edge with the one
permission rule (``gateway/permissions.py``); paths by invitation or relationship id are checked by
the relationships service, which owns that data. A change clears this gateway's cached grants of
the secretary at once; the service's events clear the other gateways'."""
from __future__ import annotations

from gateway.api import Api, Call, PageQuery
from gateway.relationships.schemas import (
    AcceptInvitationBody,
    AccreditationList,
    InvitationBody,
    InvitationList,
    InvitationQuery,
    InvitationSchema,
    RelationshipList,
    RelationshipRolesBody,
    RelationshipSchema,
)
from ponte.contracts.forms import FORM_ERRORS
from ponte.roles import MANAGE_RELATIONSHIPS as MANAGE

api = Api()
PROVIDER_SIDE = ("provider", "secretary")
TAG = "relationships"


def _page(call: Call) -> dict:
    return {"limit": call.query["limit"], "cursor": call.query["cursor"]}


def _changed(call: Call, relationship: dict) -> dict:
    call.gateway.permissions.forget(relationship["secretary_id"])
    return relationship


@api.route("POST", "/api/v1/providers/{provider_id}/invitations", forward_errors=True,
           kinds=PROVIDER_SIDE,
           body=InvitationBody, response=InvitationSchema(), status=201, tag=TAG,
           summary="Invite a secretary with roles (provider, or secretary with "
                   "manage_relationships); 409 if already pending or active; unknown "
                   "secretary_id 404, an account that is not a secretary 422")
def invite(call: Call) -> dict:
    provider_id = call.params["provider_id"]
    call.require_provider_role(provider_id, MANAGE)
    secretary_id, form_errors = call.body.get("secretary_id"), call.body.get(FORM_ERRORS)
    until = call.body.get("until")
    return call.rpc("relationships", "invite", call.caller, provider_id,
                    str(secretary_id) if secretary_id else None, call.body.get("roles"),
                    **({"form_errors": form_errors} if form_errors else {}),
                    **({"until": until.isoformat()} if until else {}))


@api.route("GET", "/api/v1/providers/{provider_id}/invitations", kinds=PROVIDER_SIDE,
           query=InvitationQuery, response=InvitationList(), tag=TAG,
           summary="The provider's invitations, newest first (optional status filter)")
def provider_invitations(call: Call) -> dict:
    provider_id = call.params["provider_id"]
    call.require_provider_role(provider_id, MANAGE)
    return call.rpc("relationships", "list_provider_invitations", call.caller, provider_id,
                    status=call.query["status"], **_page(call))


@api.route("GET", "/api/v1/me/invitations", kinds=("secretary",), query=PageQuery,
           response=InvitationList(), tag=TAG, summary="My pending invitations")
def my_invitations(call: Call) -> dict:
    return call.rpc("relationships", "list_my_invitations", call.caller, **_page(call))


@api.route("POST", "/api/v1/invitations/{id}/accept", kinds=("secretary",),
           body=AcceptInvitationBody, response=RelationshipSchema(), tag=TAG,
           summary="Accept an invitation for an indefinite time (until null) or through a "
                   "future date (until absent: the term the invitation proposed); the "
                   "relationship becomes active")
def accept(call: Call) -> dict:
    until = call.body.get("until")
    return _changed(call, call.rpc("relationships", "accept_invitation", call.caller,
                                   call.params["id"], until.isoformat() if until else None,
                                   as_proposed="until" not in call.body))


@api.route("POST", "/api/v1/invitations/{id}/decline", kinds=("secretary",),
           response=InvitationSchema(), tag=TAG, summary="Decline an invitation")
def decline(call: Call) -> dict:
    return call.rpc("relationships", "decline_invitation", call.caller, call.params["id"])


@api.route("GET", "/api/v1/providers/{provider_id}/relationships", kinds=PROVIDER_SIDE,
           query=PageQuery, response=RelationshipList(), tag=TAG,
           summary="The provider's relationships with secretaries, newest first")
def provider_relationships(call: Call) -> dict:
    provider_id = call.params["provider_id"]
    call.require_provider_role(provider_id, MANAGE)
    return call.rpc("relationships", "list_provider_relationships", call.caller, provider_id,
                    **_page(call))


@api.route("GET", "/api/v1/me/relationships", kinds=("secretary",), query=PageQuery,
           response=RelationshipList(), tag=TAG,
           summary="The providers I act or acted for, newest first")
def my_relationships(call: Call) -> dict:
    return call.rpc("relationships", "list_my_relationships", call.caller, **_page(call))


@api.route("PATCH", "/api/v1/relationships/{id}", kinds=PROVIDER_SIDE, body=RelationshipRolesBody,
           response=RelationshipSchema(), tag=TAG,
           summary="Change an active relationship's roles (provider side with "
                   "manage_relationships; not one's own)")
def change_roles(call: Call) -> dict:
    return _changed(call, call.rpc("relationships", "change_roles", call.caller,
                                   call.params["id"], call.body["roles"]))


@api.route("POST", "/api/v1/relationships/{id}/end", kinds=PROVIDER_SIDE,
           response=RelationshipSchema(), tag=TAG,
           summary="End an active relationship (provider side, or the secretary herself)")
def end(call: Call) -> dict:
    return _changed(call, call.rpc("relationships", "end_relationship", call.caller,
                                   call.params["id"]))


@api.route("GET", "/api/v1/providers/{provider_id}/accreditations", kinds=PROVIDER_SIDE,
           query=PageQuery, response=AccreditationList(), tag=TAG,
           summary="The provider's accreditation to the operator (able to submit requests)")
def accreditations(call: Call) -> dict:
    provider_id = call.params["provider_id"]
    call.require_provider_role(provider_id)
    return call.rpc("relationships", "list_accreditations", call.caller, provider_id,
                    **_page(call))

