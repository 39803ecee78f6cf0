"""An auditor's decision reaches the provider side in real time, addressed by the event's
audience: the provider's login and its secretary with ``authorizations`` (in the inbox, by e-mail
and on the open stream), not its secretary with ``billing`` only; a new audit reaches the
auditors. Skipped until the authorizations service is part of the tree."""
from __future__ import annotations

import pytest

pytest.importorskip("gateway.authorizations")

from tests.e2e.notifications_helpers import EventStream, inbox, wait_for_item  # noqa: E402
from tests.e2e.test_authorizations import (  # noqa: E402
    PERIAPICAL,
    REQUESTS,
    ROOT_CANAL,
    Desk,
    create,
)

TYPE = "authorizations.request_denied"


@pytest.fixture(scope="module")
def desk(stack):
    return Desk(stack.client, stack.mail)


def test_a_decision_reaches_the_provider_side_that_holds_the_role(stack, client, mail, desk):
    provider, auditor = desk.provider("Clínica Decisão"), desk.staff(["auditor"])
    clerk, biller = desk.secretary("Clara Autoriza"), desk.secretary("Bento Fatura")
    desk.relate(provider, clerk, ["authorizations"])
    desk.relate(provider, biller, ["billing"])
    stream = EventStream(stack.client.base_url, token=provider["token"])
    try:
        answer = create(client, clerk, provider_id=provider["id"], items=[
            {"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 11},
            {"procedure_code": PERIAPICAL, "quantity": 1, "tooth": 11}])
        assert answer.status_code == 201, answer.text
        request = answer.json()
        [audit] = [i for i in wait_for_item(client, auditor, "authorizations.request_submitted")
                   if i["link"].endswith(request["id"])]
        assert request["number"] in audit["title"]

        decided = client.post(f"{REQUESTS}/{request['id']}/decision", token=auditor["token"],
                              json={"outcome": "denied",
                                    "justification": "Falta a radiografia inicial."})
        assert decided.status_code == 200, decided.text
        pushed = stream.wait_for(lambda n: n["type"] == TYPE, what="the decision frame")
        assert pushed["title"] == f"Solicitação {request['number']} negada"
        assert "Falta a radiografia inicial." in pushed["body"]
        assert pushed["link"] == f"/api/v1/authorization-requests/{request['id']}"
        assert [i["id"] for i in wait_for_item(client, provider, TYPE)] == [pushed["id"]]
        wait_for_item(client, clerk, TYPE)
        mail.wait_for(clerk["email"], f"Solicitação {request['number']} negada")
        assert not [i for i in inbox(client, biller)["items"] if i["type"] == TYPE]
    finally:
        stream.close()
