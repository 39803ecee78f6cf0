"""Each person's home over plain HTTP (issue 22): it shows their own work as the API shows it to
them, and nothing the API would not. An attendant sees her institution's queue and not another
one's; a servant whose access is still pending sees no queue; a manager sees her institution's
services, drafts included, and not another institution's; a citizen sees her own requests."""
from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_attendance import PASSWORD, World
from tests.e2e.test_portal import browser, sign_in

API = "/api/v1"
ANSWERS = {"cpf": "52998224725", "email": "carla@ponte.test", "kind": "RG"}


@pytest.fixture(scope="module")
def world(stack):
    return World(stack.client, stack.mail)


@pytest.fixture(scope="module")
def offices(world):
    """Two institutions X and Y, each with a manager, an attendant, a published service with
    one request of its own citizen, and a draft service."""
    made = {}
    for name in ("X", "Y"):
        institution = world.institution(f"Secretaria {name}")
        manager = world.manager_of(institution)
        attendant = world.attendant_of(institution, manager)
        service = world.published_service(institution, manager,
                                          name=f"Serviço publicado {name} {uuid.uuid4().hex[:4]}")
        draft = world.client.post(f"{API}/institutions/{institution['id']}/services",
                                  token=manager["token"], json={
                                      "name": f"Rascunho {name}", "description": "Ainda não",
                                      "audience": "Cidadãos", "requirements": [], "steps": [],
                                      "form_fields": []})
        assert draft.status_code == 201, draft.text
        citizen = world.citizen()
        sent = world.client.post(f"{API}/services/{service['id']}/requests",
                                 token=citizen["token"], json={"answers": ANSWERS})
        assert sent.status_code == 201, sent.text
        made[name] = {"institution": institution, "manager": manager, "attendant": attendant,
                      "citizen": citizen, "request": sent.json(), "service": service}
    return made


def home(client, login: str, password: str = PASSWORD) -> str:
    web = browser(client)
    assert sign_in(client, web, login, password).status_code == 303
    page = web.get(client.base_url + "/")
    assert page.status_code == 200
    return page.text


def test_an_attendant_sees_her_institutions_queue_and_no_other(client, offices):
    x, y = offices["X"], offices["Y"]
    page = home(client, x["attendant"]["email"])
    assert f"Fila de {x['institution']['name']}" in page
    assert x["request"]["protocol"] in page
    assert y["institution"]["name"] not in page and y["request"]["protocol"] not in page
    assert f'href="/institution/requests/{x["request"]["id"]}"' in page  # her screen of it


def test_a_servant_whose_access_is_pending_sees_no_queue(client, world, offices):
    servant = world.staff(["servant"], "Sérgio Servidor")
    asked = client.post(f"{API}/institutions/{offices['X']['institution']['id']}"
                        "/attendant-requests", token=servant["token"], json={})
    assert asked.status_code == 201, asked.text
    page = home(client, servant["email"])
    assert "Fila de" not in page and offices["X"]["request"]["protocol"] not in page


def test_a_manager_sees_her_services_drafts_included_and_no_other_institutions(client,
                                                                              offices):
    x, y = offices["X"], offices["Y"]
    page = home(client, x["manager"]["email"])
    assert f"Serviços de {x['institution']['name']}" in page
    assert x["service"]["name"] in page and "Rascunho X" in page
    assert y["service"]["name"] not in page and "Rascunho Y" not in page


def test_a_citizen_sees_her_own_requests_linked_to_their_pages(client, offices):
    x, y = offices["X"], offices["Y"]
    page = home(client, x["citizen"]["email"], x["citizen"]["password"])
    assert "Minhas solicitações" in page
    assert f'href="/my-requests/{x["request"]["id"]}"' in page
    assert y["request"]["protocol"] not in page
