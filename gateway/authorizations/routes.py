"""Authorizations: the catalogue, authorization requests from draft to code, the audit desk,
code checks, payments and inquiries. Provider-scoped creations are checked at the edge with the
one permission rule; everything reached by id is checked by the authorizations service, which
owns it, with the caller's grants passed along (``caller_with_grants``)."""
from __future__ import annotations

from typing import Any

from gateway.api import Api, Call, PageQuery
from gateway.authorizations.schemas import (
    AppealBody,
    CancellationBody,
    CodeCheckSchema,
    CodeQuery,
    DecisionBody,
    DemandTypeList,
    InquiryBody,
    InquiryList,
    InquiryQuery,
    InquirySchema,
    InteractionBody,
    InteractionList,
    InteractionSchema,
    ItemBody,
    ItemSchema,
    MessageBody,
    MessageSchema,
    PaymentBody,
    PaymentList,
    PaymentSchema,
    ProcedureBody,
    ProcedureChanges,
    ProcedureList,
    ProcedureQuery,
    ProcedureSchema,
    ProviderQuery,
    RequestBody,
    RequestList,
    RequestQuery,
    RequestSchema,
)
from ponte.errors import InvalidInput, NotFound
from ponte.roles import AUDITOR, AUTHORIZATIONS, BILLING, OPERATOR, PROVIDER, SECRETARY, STAFF

api = Api()
SERVICE = "authorizations"
PROVIDER_SIDE = (PROVIDER, SECRETARY)
DESK = (OPERATOR, AUDITOR)
TAG = "authorizations"
REQUESTS = "/api/v1/authorization-requests"


def _page(call: Call) -> dict:
    return {"limit": call.query["limit"], "cursor": call.query["cursor"]}


def _acting_provider(call: Call, given: str | None, *roles: str) -> str | None:
    """``provider_id`` as named, or the one provider the caller acts for (API.md: it may be
    left out then); checked with the one permission rule. Naming a provider the caller does
    not act for is 404 (API.md "Precise points"); acting for it without the role, 403. Staff
    name providers freely."""
    if call.principal.kind == STAFF:
        return given
    grants = call.gateway.permissions.acting_for(call)
    if not given:
        if len(grants) != 1:
            raise InvalidInput("Name the provider you act for.",
                               {"provider_id": ["Required: you act for several providers, "
                                                "or none."]})
        given = next(iter(grants))
    if given not in grants:
        raise NotFound("No such provider.")
    call.require_provider_role(given, *roles)
    return given


def _rpc(call: Call, method: str, *args: Any, **kwargs: Any) -> Any:
    return call.rpc(SERVICE, method, call.caller_with_grants(), *args, **kwargs)


# -- catalogue ----------------------------------------------------------------------------

@api.route("GET", "/api/v1/demand-types", response=DemandTypeList(), tag=TAG,
           summary="Demand groups and types a request is filed under (001)")
def demand_types(call: Call) -> dict:
    return call.rpc(SERVICE, "list_demand_types")


@api.route("GET", "/api/v1/procedures", query=ProcedureQuery, response=ProcedureList(),
           tag=TAG, summary="The procedure catalogue by code, optionally searched (q)")
def procedures(call: Call) -> dict:
    return call.rpc(SERVICE, "list_procedures", call.query["q"], **_page(call))


@api.route("POST", "/api/v1/procedures", roles=(OPERATOR,), body=ProcedureBody,
           response=ProcedureSchema(), status=201, tag=TAG,
           summary="Add a procedure (operator); 409 if the code exists")
def create_procedure(call: Call) -> dict:
    return _rpc(call, "create_procedure", call.body)


@api.route("PATCH", "/api/v1/procedures/{code}", roles=(OPERATOR,), body=ProcedureChanges,
           response=ProcedureSchema(), tag=TAG, summary="Edit a procedure (operator)")
def update_procedure(call: Call) -> dict:
    return _rpc(call, "update_procedure", call.params["code"], call.body)


# -- requests -----------------------------------------------------------------------------

@api.route("POST", REQUESTS, kinds=PROVIDER_SIDE, body=RequestBody, response=RequestSchema(),
           status=201, idempotent=True, forward_errors=True, tag=TAG,
           summary="Create an authorization request, submitted at once or kept as a draft "
                   "(provider side with authorizations); 409 with errors.profile while the "
                   "provider's profile is incomplete; Idempotency-Key honoured")
def create_request(call: Call) -> dict:
    data = dict(call.body)
    data["provider_id"] = _acting_provider(call, data.get("provider_id"), AUTHORIZATIONS)
    return _rpc(call, "create_request", data, idempotency=call.idempotency)


@api.route("POST", REQUESTS + "/{id}/items", kinds=PROVIDER_SIDE, body=ItemBody,
           response=ItemSchema(), status=201, forward_errors=True, tag=TAG,
           summary="Add an item to a draft; 409 unless draft")
def add_item(call: Call) -> dict:
    return _rpc(call, "add_item", call.params["id"], call.body)


@api.route("DELETE", REQUESTS + "/{id}/items/{item_id}", kinds=PROVIDER_SIDE, status=204,
           tag=TAG, summary="Remove an item from a draft; 409 unless draft")
def remove_item(call: Call) -> None:
    _rpc(call, "remove_item", call.params["id"], call.params["item_id"])


@api.route("POST", REQUESTS + "/{id}/submit", kinds=PROVIDER_SIDE, response=RequestSchema(),
           tag=TAG, summary="Submit a draft: number, protocol, and authorized at once or "
                            "awaiting audit; 422 without items; 409 unless draft, or with "
                            "errors.profile while the provider's profile is incomplete")
def submit(call: Call) -> dict:
    return _rpc(call, "submit_request", call.params["id"])


def _request_rows(result: dict) -> tuple[list[str], list[list[Any]]]:
    header = ["submitted_at", "protocol", "number", "demand_group", "demand_type",
              "beneficiary_card_number", "beneficiary_name", "status"]
    return header, [[r.get("submitted_at"), r.get("protocol"), r.get("number"),
                     r.get("demand_group"), r.get("demand_type"),
                     (r.get("beneficiary") or {}).get("card_number"),
                     (r.get("beneficiary") or {}).get("name"), r.get("status")]
                    for r in result["items"]]


@api.route("GET", REQUESTS, kinds=PROVIDER_SIDE, roles=DESK, query=RequestQuery,
           response=RequestList(), csv=_request_rows, tag=TAG,
           summary="Requests, newest first, filtered as the desk's table (provider side with "
                   "authorizations: its own; operator and auditor: all); also as CSV")
def list_requests(call: Call) -> dict:
    query = dict(call.query)
    query["provider_id"] = _acting_provider(call, query.get("provider_id"), AUTHORIZATIONS)
    filters = {k: query[k] for k in ("provider_id", "status", "number", "protocol",
                                     "beneficiary", "demand_group", "demand_type")}
    filters["date"] = query["date"].isoformat() if query["date"] else None
    return _rpc(call, "list_requests", filters, **_page(call))


@api.route("GET", "/api/v1/audit-queue", roles=DESK, query=PageQuery,
           response=RequestList(), tag=TAG,
           summary="Requests awaiting audit, the oldest due first, overdue ones flagged")
def audit_queue(call: Call) -> dict:
    return _rpc(call, "audit_queue", **_page(call))


@api.route("GET", REQUESTS + "/{id}", kinds=PROVIDER_SIDE, roles=DESK,
           response=RequestSchema(), tag=TAG, summary="One request")
def get_request(call: Call) -> dict:
    return _rpc(call, "get_request", call.params["id"])


@api.route("GET", REQUESTS + "/{id}/interactions", kinds=PROVIDER_SIDE, roles=DESK,
           response=InteractionList(), tag=TAG,
           summary="The request's timeline, oldest first: who (and which side), when, what")
def interactions(call: Call) -> dict:
    return _rpc(call, "list_interactions", call.params["id"])


@api.route("POST", REQUESTS + "/{id}/interactions", kinds=PROVIDER_SIDE, roles=DESK,
           body=InteractionBody, response=InteractionSchema(), status=201, tag=TAG,
           summary="A message or a document, with attachments, from either side")
def add_interaction(call: Call) -> dict:
    return _rpc(call, "add_interaction", call.params["id"], call.body["message"],
                kind=call.body["kind"], attachment_ids=call.body["attachment_ids"])


@api.route("POST", REQUESTS + "/{id}/cancel", kinds=PROVIDER_SIDE, body=CancellationBody,
           response=RequestSchema(), tag=TAG,
           summary="Cancel while undecided (draft or awaiting audit); 409 once decided")
def cancel(call: Call) -> dict:
    return _rpc(call, "cancel_request", call.params["id"], call.body["reason"])


@api.route("POST", REQUESTS + "/{id}/decision", roles=(AUDITOR,), body=DecisionBody,
           response=RequestSchema(), tag=TAG,
           summary="The auditor's decision, per item for a partial one; justification "
                   "required unless authorized; 409 unless awaiting_audit")
def decide(call: Call) -> dict:
    return _rpc(call, "decide_request", call.params["id"], call.body["outcome"],
                items=call.body["items"], justification=call.body["justification"],
                denial_reason=call.body["denial_reason"])


@api.route("POST", REQUESTS + "/{id}/appeal", kinds=PROVIDER_SIDE, body=AppealBody,
           response=RequestSchema(), tag=TAG,
           summary="Appeal a denial with a justification and files: back to awaiting_audit; "
                   "409 unless denied")
def appeal(call: Call) -> dict:
    return _rpc(call, "appeal_request", call.params["id"], call.body["justification"],
                attachment_ids=call.body["attachment_ids"])


@api.route("GET", "/api/v1/authorization-codes/{code}", kinds=PROVIDER_SIDE, roles=DESK,
           query=CodeQuery, response=CodeCheckSchema(), tag=TAG,
           summary="Is this code valid (for this beneficiary, professional, procedure)? "
                   "404 unknown")
def check_code(call: Call) -> dict:
    return _rpc(call, "check_code", call.params["code"], **call.query)


# -- payments -----------------------------------------------------------------------------

@api.route("POST", "/api/v1/payments", roles=(OPERATOR,), body=PaymentBody,
           response=PaymentSchema(), status=201, forward_errors=True, tag=TAG,
           summary="Record a payment (liquidation) with its invoice (operator); money as "
                   "decimal strings")
def record_payment(call: Call) -> dict:
    data = dict(call.body)
    invoice = dict(data.get("invoice") or {})
    if "issued_on" in invoice:
        invoice["issued_on"] = invoice["issued_on"].isoformat()
    if "invoice" in data:
        data["invoice"] = invoice
    if "paid_on" in data:
        data["paid_on"] = data["paid_on"].isoformat()
    return _rpc(call, "record_payment", data)


@api.route("GET", "/api/v1/payments", kinds=PROVIDER_SIDE, roles=(OPERATOR,),
           query=ProviderQuery, response=PaymentList(), tag=TAG,
           summary="Payments, newest first (provider side with billing: its own; operator)")
def payments(call: Call) -> dict:
    provider_id = _acting_provider(call, call.query["provider_id"], BILLING)
    return _rpc(call, "list_payments", provider_id, **_page(call))


# -- inquiries ----------------------------------------------------------------------------

@api.route("POST", "/api/v1/inquiries", kinds=PROVIDER_SIDE, body=InquiryBody,
           response=InquirySchema(), status=201, forward_errors=True, tag=TAG,
           summary="Write to the operator, about a request or in general (provider side with "
                   "authorizations or billing)")
def create_inquiry(call: Call) -> dict:
    data = dict(call.body)
    data["provider_id"] = _acting_provider(call, data.get("provider_id"), AUTHORIZATIONS,
                                           BILLING)
    return _rpc(call, "create_inquiry", data)


@api.route("GET", "/api/v1/inquiries", kinds=PROVIDER_SIDE, roles=(OPERATOR,),
           query=InquiryQuery, response=InquiryList(), tag=TAG,
           summary="Inquiries with their messages, newest first")
def inquiries(call: Call) -> dict:
    provider_id = _acting_provider(call, call.query["provider_id"], AUTHORIZATIONS, BILLING)
    return _rpc(call, "list_inquiries", provider_id, status=call.query["status"],
                **_page(call))


@api.route("GET", "/api/v1/inquiries/{id}", kinds=PROVIDER_SIDE, roles=(OPERATOR,),
           response=InquirySchema(), tag=TAG, summary="One inquiry with its messages")
def get_inquiry(call: Call) -> dict:
    return _rpc(call, "get_inquiry", call.params["id"])


@api.route("POST", "/api/v1/inquiries/{id}/messages", kinds=PROVIDER_SIDE, roles=(OPERATOR,),
           body=MessageBody, response=MessageSchema(), status=201, tag=TAG,
           summary="Add a message to an inquiry's thread (provider side or operator)")
def add_message(call: Call) -> dict:
    return _rpc(call, "add_inquiry_message", call.params["id"], call.body["message"])
