"""The citizen's screens over plain HTTP (issue 20): the service's form shows every error beside
its field and keeps what was typed and the files already sent; "Enviar" sent twice makes one
request; a citizen never opens another's request or appointment (the API's 404 page); the
booking turns the local time typed into the API's UTC instant. The browser walks the
workflows in tests/browser/test_portal_citizen.py."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_attendance import PASSWORD, World
from tests.e2e.test_portal import browser, csrf_of, sign_in
from tests.stack import new_cpf, wait_until

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FIELDS = [{"name": "cpf", "label": "CPF do requerente", "type": "cpf", "required": True},
          {"name": "copies", "label": "Quantidade de cópias", "type": "number",
           "required": True},
          {"name": "kind", "label": "Tipo de documento", "type": "choice", "required": True,
           "choices": ["RG", "CNH"]}]


@pytest.fixture(scope="module")
def world(stack):
    return World(stack.client, stack.mail)


@pytest.fixture(scope="module")
def office(world):
    institution = world.institution()
    manager = world.manager_of(institution)
    service = world.published_service(institution, manager, form_fields=FIELDS)
    return {"institution": institution, "manager": manager, "service": service}


def signed_in(client, person: dict):
    web = browser(client)
    assert sign_in(client, web, person["email"], person["password"]).status_code == 303
    return web


def test_the_form_shows_every_error_beside_its_field_and_keeps_what_was_typed(client, world,
                                                                                office):
    citizen = world.citizen()
    path = f"/services/{office['service']['id']}/request"
    signed_out = browser(client).get(client.base_url + path, allow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["Location"] == f"/sign-in?next={path}"
    web = browser(client)
    back = sign_in(client, web, citizen["email"], citizen["password"], next_=path)
    assert back.headers["Location"] == path
    address = client.base_url + path
    page = web.get(address)
    assert page.status_code == 200
    for label in ("CPF do requerente", "Quantidade de cópias", "Tipo de documento", "Enviar"):
        assert label in page.text
    sent = web.post(address, data={"csrf": csrf_of(page.text), "idempotency_key": "k-1",
                                   "answers.cpf": "123", "answers.copies": "muitas"},
                    files={"files": ("rg.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert sent.status_code == 422
    for name in ("cpf", "copies", "kind"):  # each error beside its own field
        error = re.search(rf'id="answers-{name}-error"[^>]*>([^<]+)</p>', sent.text)
        assert error and error.group(1).strip(), name
        assert f'href="#answers-{name}"' in sent.text  # and in the summary
    assert 'value="123"' in sent.text and 'value="muitas"' in sent.text
    kept = re.search(r'name="attachment" value="([^"]+):rg.pdf"', sent.text)
    assert kept, "the file already sent is kept"
    assert not web.get(client.base_url + "/my-requests").text.count("/my-requests/")

    form = {"csrf": csrf_of(sent.text), "idempotency_key": "k-2", "answers.cpf": citizen_cpf(),
            "answers.copies": "2", "answers.kind": "CNH", "attachment": f"{kept.group(1)}:rg.pdf"}
    first = web.post(address, data=form, allow_redirects=False)
    again = web.post(address, data=form, allow_redirects=False)  # "Enviar" pressed twice
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    mine = client.get("/api/v1/me/service-requests", token=citizen["token"]).json()["items"]
    assert len(mine) == 1 and mine[0]["attachments"][0]["filename"] == "rg.pdf"
    shown = web.get(client.base_url + first.headers["Location"])
    assert mine[0]["protocol"] in shown.text and "Sua solicitação foi enviada." in shown.text
    # the notification about it opens its screen
    wait_until(lambda: f'href="/my-requests/{mine[0]["id"]}"'
               in web.get(client.base_url + "/notifications").text, 15,
               what="the inbox to link to the request's screen")


def citizen_cpf() -> str:
    return new_cpf()


def test_a_citizen_cannot_open_anothers_request_or_appointment(client, world, office):
    owner, stranger = world.citizen(), world.citizen()
    request = client.post(f"/api/v1/services/{office['service']['id']}/requests",
                          token=owner["token"], json={"answers": {
                              "cpf": citizen_cpf(), "copies": 1, "kind": "RG"}}).json()
    web = signed_in(client, stranger)
    page = web.get(f"{client.base_url}/my-requests/{request['id']}")
    assert page.status_code == 404
    assert request["protocol"] not in page.text
    assert "Esta página não existe, ou você não tem acesso a ela." in page.text
    home = web.get(client.base_url + "/my-requests/" + request["id"])
    form = {"csrf": csrf_of(home.text), "message": "olá"}
    assert web.post(f"{client.base_url}/my-requests/{request['id']}/follow-ups",
                    data=form).status_code == 404
    assert web.post(f"{client.base_url}/my-requests/{request['id']}/rating",
                    data={**form, "score": "5"}).status_code == 404

    provider = world.provider()
    when = datetime.now(UTC) + timedelta(days=2)
    booked = client.post(f"/api/v1/providers/{provider['id']}/appointments",
                         token=owner["token"],
                         json={"starts_at": when.isoformat().replace("+00:00", "Z")}).json()
    assert web.get(f"{client.base_url}/appointments/{booked['id']}").status_code == 404
    assert web.post(f"{client.base_url}/appointments/{booked['id']}/cancel",
                    data=form).status_code == 404
    for address in ("/my-requests/nope", "/services/nope", "/appointments/nope",
                    "/attachments/nope", "/providers/nope/book"):  # never a 500
        assert web.get(client.base_url + address).status_code == 404, address


def test_a_booking_goes_to_the_api_in_utc_and_its_errors_come_back_beside_the_fields(
        client, world):
    provider = world.provider()
    citizen = world.citizen()
    web = signed_in(client, citizen)
    address = f"{client.base_url}/providers/{provider['id']}/book"
    page = web.get(address)
    assert page.status_code == 200 and "Agendar" in page.text
    past = web.post(address, data={"csrf": csrf_of(page.text), "idempotency_key": "b-1",
                                   "date": "2020-01-01", "time": "09:00", "notes": "Dor"})
    assert past.status_code == 422
    assert re.search(r'id="starts_at-error"[^>]*>[^<]+</p>', past.text)
    assert 'value="2020-01-01"' in past.text and ">Dor</textarea>" in past.text

    day = (datetime.now(SAO_PAULO) + timedelta(days=3)).date()
    done = web.post(address, data={"csrf": csrf_of(past.text), "idempotency_key": "b-2",
                                   "date": day.isoformat(), "time": "14:30"},
                    allow_redirects=False)
    assert done.status_code == 303
    [booked] = client.get("/api/v1/me/appointments", token=citizen["token"]).json()["items"]
    local = datetime.fromisoformat(booked["starts_at"].replace("Z", "+00:00"))
    assert local.astimezone(SAO_PAULO).strftime("%Y-%m-%d %H:%M") == f"{day} 14:30"


def test_enviar_pressed_twice_with_a_file_makes_one_request(client, world, office):
    """Without script both posts reach the screen, and each sends its file anew: the second
    answer is the API's "key already used", and the screen takes the citizen to her list."""
    citizen = world.citizen()
    web = signed_in(client, citizen)
    address = f"{client.base_url}/services/{office['service']['id']}/request"
    form = {"csrf": csrf_of(web.get(address).text), "idempotency_key": "twice",
            "answers.cpf": citizen_cpf(), "answers.copies": "1", "answers.kind": "RG"}
    upload = {"files": ("rg.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    first = web.post(address, data=form, files=upload, allow_redirects=False)
    second = web.post(address, data=form, files=upload, allow_redirects=False)
    assert first.status_code == 303 and "/my-requests/" in first.headers["Location"]
    assert second.status_code == 303 and second.headers["Location"] == "/my-requests"
    mine = client.get("/api/v1/me/service-requests", token=citizen["token"]).json()["items"]
    assert len(mine) == 1


def test_the_provider_sides_period_is_judged_by_the_api_and_said_beside_its_dates(client,
                                                                                  world):
    provider = world.provider()
    web = signed_in(client, {"email": provider["email"], "password": PASSWORD})
    listing = web.get(client.base_url + "/appointments")
    assert listing.status_code == 200 and "Agendamentos" in listing.text
    wrong = web.get(client.base_url + "/appointments?from=2026-12-10&to=2026-12-01")
    assert wrong.status_code == 422
    assert re.search(r'id="to-error"[^>]*>[^<]+</p>', wrong.text)
    assert 'value="2026-12-10"' in wrong.text and 'value="2026-12-01"' in wrong.text
    citizen = signed_in(client, world.citizen())
    assert "/my-appointments" in citizen.get(client.base_url + "/").text
    assert citizen.get(client.base_url + "/appointments").status_code == 403
