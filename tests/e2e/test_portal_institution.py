"""The institution's screens (seed 002) over plain HTTP: the service editor's errors beside their
fields with everything typed kept, its add/move/remove buttons without script, the workflow
steps offered only when the status allows them, the API's 403/404/409 as their pages (never
the data) for an attendant of another institution or a step forced through the address, a
meeting's local time sent as UTC, and the agenda's CSV as a download."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_attendance import API, PASSWORD, World, answers
from tests.e2e.test_portal import browser as web_session
from tests.e2e.test_portal import csrf_of, sign_in

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(scope="module")
def world(stack):
    return World(stack.client, stack.mail)


@pytest.fixture(scope="module")
def office(world):
    """Institution X (manager, attendant Ana, a published service) and institution Y with its
    own attendant."""
    x = world.institution("Secretaria de Saúde")
    manager = world.manager_of(x)
    ana = world.attendant_of(x, manager, "Ana Atendente")
    service = world.published_service(x, manager)
    y = world.institution("Secretaria de Educação")
    yara = world.attendant_of(y, world.manager_of(y), "Yara de Outra")
    return {"x": x, "manager": manager, "ana": ana, "service": service, "y": y, "yara": yara}


def portal(client, person: dict):
    web = web_session(client)
    signed = sign_in(client, web, person["email"], PASSWORD)
    assert signed.status_code == 303, signed.text
    return web


def submitted(world, office) -> dict:
    citizen = world.citizen()
    answer = world.client.post(f"{API}/services/{office['service']['id']}/requests",
                               token=citizen["token"], json={"answers": answers()})
    assert answer.status_code == 201, answer.text
    return answer.json()


def post(client, web, path: str, form: dict, page: str | None = None):
    html = web.get(client.base_url + (page or path)).text
    return web.post(client.base_url + path, data={**form, "csrf": csrf_of(html)},
                    allow_redirects=False)


def test_the_service_editor_shows_every_error_beside_its_field_and_keeps_what_was_typed(
        client, office):
    web = portal(client, office["manager"])
    path = f"/institution/{office['x']['id']}/services/new"
    page = web.get(client.base_url + path)
    assert page.status_code == 200 and "Novo serviço" in page.text
    form = {"idempotency_key": "k-" + office["x"]["id"], "name": "", "description": "Emissão",
            "due_business_days": "0", "form_fields.0.name": "", "form_fields.0.label": "Tipo",
            "form_fields.0.type": "choice", "form_fields.0.choices": "",
            "steps.0.id": "", "steps.0.title": "Documentos conferidos", "do": "save"}
    refused = post(client, web, path, form)
    assert refused.status_code == 422
    html = refused.text
    assert 'id="error-summary"' in html and 'role="alert"' in html
    for field in ("name", "due_business_days", "form_fields-0-choices"):
        error = re.search(rf'id="{field}-error"[^>]*>([^<]+)<', html)
        assert error and error.group(1).strip(), field
    assert 'value="Tipo"' in html and "Emissão" in html and 'value="Documentos conferidos"' in html
    # nothing was drafted
    listed = client.get(f"{API}/institutions/{office['x']['id']}/services",
                        token=office["manager"]["token"]).json()["items"]
    assert [s["name"] for s in listed] == [office["service"]["name"]]


def test_add_move_and_remove_are_buttons_that_render_the_form_again(client, office):
    web = portal(client, office["manager"])
    path = f"/institution/{office['x']['id']}/services/new"
    form = {"name": "Alvará", "due_business_days": "5", "form_fields.0.name": "",
            "form_fields.0.label": "CPF do requerente", "form_fields.0.type": "cpf",
            "form_fields.1.name": "", "form_fields.1.label": "E-mail",
            "form_fields.1.type": "email",
            "steps.0.id": "", "steps.0.title": ""}
    added = post(client, web, path, {**form, "do": "add_field"})
    assert added.status_code == 200
    assert 'name="form_fields.2.label"' in added.text and 'value="CPF do requerente"' in added.text
    moved = post(client, web, path, {**form, "do": "up_field:1"})
    assert moved.text.index('value="E-mail"') < moved.text.index('value="CPF do requerente"')
    removed = post(client, web, path, {**form, "do": "remove_field:0"})
    assert 'value="CPF do requerente"' not in removed.text and 'value="E-mail"' in removed.text
    saved = post(client, web, path, {**form, "do": "save", "idempotency_key": "once-alvara"})
    assert saved.status_code == 303
    service_id = saved.headers["Location"].split("/")[-1].split("?")[0]
    service = client.get(f"{API}/services/{service_id}", token=office["manager"]["token"]).json()
    assert [(f["name"], f["type"]) for f in service["form_fields"]] == [
        ("cpf_do_requerente", "cpf"), ("e_mail", "email")]
    assert service["status"] == "draft"


def test_an_attendant_of_another_institution_gets_the_api_refusal_never_the_data(
        client, world, office):
    request = submitted(world, office)
    web = portal(client, office["yara"])
    page = web.get(f"{client.base_url}/institution/requests/{request['id']}")
    assert page.status_code == 404
    assert request["protocol"] not in page.text and "Ana" not in page.text
    forced = post(client, web, f"/institution/requests/{request['id']}/start-analysis", {},
                  page="/notifications")
    assert forced.status_code == 404
    for path in (f"/institution/{office['x']['id']}/panel",
                 f"/institution/{office['x']['id']}/agenda.csv",
                 f"/institution/{office['x']['id']}/ratings"):
        refused = web.get(client.base_url + path)
        assert refused.status_code == 403, path
        assert request["protocol"] not in refused.text
    assert client.get(f"{API}/service-requests/{request['id']}",
                      token=office["ana"]["token"]).json()["status"] == "submitted"


def test_each_step_is_offered_only_when_the_status_allows_it_and_forcing_one_is_a_409_page(
        client, world, office):
    request = submitted(world, office)
    web = portal(client, office["ana"])
    page = web.get(f"{client.base_url}/institution/requests/{request['id']}").text
    assert "Iniciar análise" in page and "/approve" not in page and "/conclude" not in page
    forced = post(client, web, f"/institution/requests/{request['id']}/approve",
                  {"attendant_id": office["ana"]["id"], "confirmed": "yes"},
                  page=f"/institution/requests/{request['id']}")
    assert forced.status_code == 409 and request["protocol"] not in forced.text
    started = post(client, web, f"/institution/requests/{request['id']}/start-analysis", {},
                   page=f"/institution/requests/{request['id']}")
    assert started.status_code == 303
    page = web.get(f"{client.base_url}/institution/requests/{request['id']}").text
    assert "Iniciar análise" not in page and "/approve" in page and "/reject" in page
    empty = post(client, web, f"/institution/requests/{request['id']}/reject",
                 {"justification": "  "})
    assert empty.status_code == 422 and 'id="justification-error"' in empty.text
    assert client.get(f"{API}/service-requests/{request['id']}",
                      token=office["ana"]["token"]).json()["status"] == "in_analysis"


def test_a_meeting_is_typed_in_local_time_and_sent_as_utc(client, world, office):
    request = submitted(world, office)
    ana = office["ana"]
    for step, body in (("start-analysis", None), ("approve", {"attendant_id": ana["id"]})):
        done = client.post(f"{API}/service-requests/{request['id']}/{step}", token=ana["token"],
                           json=body)
        assert done.status_code == 200, done.text
    web = portal(client, ana)
    path = f"/institution/requests/{request['id']}/meetings"
    missing = post(client, web, path, {"date": "", "time": "", "subject": ""})
    assert missing.status_code == 422
    for field in ("date", "time", "subject"):
        assert re.search(rf'id="{field}-error"[^>]*>[^<]+<', missing.text), field
    day = (datetime.now(SAO_PAULO) + timedelta(days=2)).date()
    scheduled = post(client, web, path, {"date": day.isoformat(), "time": "10:30",
                                         "duration_minutes": "45", "subject": "Documentos",
                                         "idempotency_key": "meet-" + request["id"]})
    assert scheduled.status_code == 303, scheduled.text
    meeting = client.get(f"{API}/service-requests/{request['id']}/meetings",
                         token=ana["token"]).json()["items"][0]
    local = datetime.combine(day, datetime.strptime("10:30", "%H:%M").time(), SAO_PAULO)
    assert meeting["starts_at"].replace("Z", "+00:00") == local.astimezone(UTC).isoformat()
    assert meeting["duration_minutes"] == 45
    agenda = web.get(f"{client.base_url}/institution/{office['x']['id']}/agenda.csv",
                     params={"date": day.isoformat()})
    assert agenda.status_code == 200
    assert agenda.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in agenda.headers["Content-Disposition"]
    assert day.isoformat() in agenda.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(agenda.content.decode("utf-8"))))
    assert [(r["date"], r["time"], r["protocol"]) for r in rows] == [
        (day.isoformat(), "10:30", request["protocol"])]


def test_the_menu_entries_lead_to_the_one_institution_of_the_person(client, office):
    manager, ana = portal(client, office["manager"]), portal(client, office["ana"])
    x = office["x"]["id"]
    for web, path, target in ((manager, "/institution/services", f"/institution/{x}/services"),
                              (manager, "/institution/attendants", f"/institution/{x}/attendants"),
                              (manager, "/institution/panel", f"/institution/{x}/panel"),
                              (ana, "/institution/panel", f"/institution/{x}/panel"),
                              (ana, "/institution/ratings", f"/institution/{x}/ratings"),
                              (ana, "/institution/agenda", f"/institution/{x}/agenda")):
        landed = web.get(client.base_url + path, allow_redirects=False)
        assert (landed.status_code, landed.headers.get("Location")) == (303, target), path
        assert web.get(client.base_url + target).status_code == 200, target


def test_the_manager_rejects_access_only_with_a_reason(client, world, office):
    servant = world.staff(["servant"], "Sérgio Servidor")
    asked = client.post(f"{API}/institutions/{office['x']['id']}/attendant-requests",
                        token=servant["token"], json={"message": "Setor de protocolo"})
    rid = asked.json()["id"]
    web = portal(client, office["manager"])
    page = f"/institution/{office['x']['id']}/attendants"
    assert "Sérgio Servidor" in web.get(client.base_url + page).text
    blank = post(client, web, f"/institution/attendant-requests/{rid}/reject",
                 {"reason": " ", "institution_id": office["x"]["id"]}, page=page)
    assert blank.status_code == 422
    assert re.search(rf'id="reason-{rid}-error"[^>]*>[^<]+<', blank.text)
    rejected = post(client, web, f"/institution/attendant-requests/{rid}/reject",
                    {"reason": "Lotação em outro órgão", "institution_id": office["x"]["id"]},
                    page=page)
    assert rejected.status_code == 303
    decided = client.get(f"{API}/institutions/{office['x']['id']}/attendant-requests",
                         token=office["manager"]["token"]).json()["items"]
    assert {(r["id"], r["status"], r["reason"]) for r in decided if r["id"] == rid} == {
        (rid, "rejected", "Lotação em outro órgão")}
    # a servant forcing a decision gets the API's refusal
    own = portal(client, servant)
    forced = post(client, own, f"/institution/attendant-requests/{rid}/approve", {},
                  page="/institution/access")
    assert forced.status_code in (403, 409)


def test_files_are_served_to_the_institution_and_not_to_another(client, world, office):
    citizen = world.citizen()
    upload = client.post(f"{API}/uploads", token=citizen["token"], files={
        "file": ("rg.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}).json()
    request = client.post(f"{API}/services/{office['service']['id']}/requests",
                          token=citizen["token"],
                          json={"answers": answers(), "attachment_ids": [upload["id"]]}).json()
    ana, yara = portal(client, office["ana"]), portal(client, office["yara"])
    page = ana.get(f"{client.base_url}/institution/requests/{request['id']}").text
    assert f'/attachments/{upload["id"]}' in page
    served = ana.get(f"{client.base_url}/attachments/{upload['id']}")
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    refused = yara.get(f"{client.base_url}/attachments/{upload['id']}")
    assert refused.status_code in (403, 404) and not refused.content.startswith(b"%PDF")


def test_only_the_assigned_attendant_is_offered_the_work_and_others_are_refused(
        client, world, office):
    bia = world.attendant_of(office["x"], office["manager"], "Bia Atendente")
    request = submitted(world, office)
    ana = office["ana"]
    for step, body in (("start-analysis", None), ("approve", {"attendant_id": ana["id"]})):
        assert client.post(f"{API}/service-requests/{request['id']}/{step}",
                           token=ana["token"], json=body).status_code == 200
    web = portal(client, bia)
    page = web.get(f"{client.base_url}/institution/requests/{request['id']}").text
    for offered in ("/checklist", "/follow-ups", "/meetings", "/conclude"):
        assert offered not in page, offered
    step = request["checklist"][0]["step_id"]
    forced = post(client, web, f"/institution/requests/{request['id']}/checklist",
                  {f"step.{step}": "yes"}, page=f"/institution/requests/{request['id']}")
    assert forced.status_code == 403
    assert client.get(f"{API}/service-requests/{request['id']}", token=ana["token"]).json()[
        "checklist"][0]["answer"] is None


def test_publish_and_unpublish_switch_the_service_and_a_repeat_is_the_409_page(client, office):
    web = portal(client, office["manager"])
    service = office["service"]
    charter = f"/institution/{office['x']['id']}/services"
    assert "Despublicar" in web.get(client.base_url + charter).text
    off = post(client, web, f"/institution/services/{service['id']}/unpublish", {}, page=charter)
    assert (off.status_code, off.headers["Location"]) == (303, charter)
    again = post(client, web, f"/institution/services/{service['id']}/unpublish", {},
                 page=charter)
    assert again.status_code == 409
    on = post(client, web, f"/institution/services/{service['id']}/publish", {}, page=charter)
    assert on.status_code == 303
    assert client.get(f"{API}/services/{service['id']}").json()["status"] == "published"
    # another institution's attendant cannot even see it as a draft
    yara = portal(client, office["yara"])
    assert yara.get(f"{client.base_url}/institution/{office['x']['id']}/services").status_code \
        == 403


def test_an_address_the_api_cannot_read_is_the_404_page_never_a_500(client, office):
    web = portal(client, office["ana"])
    for path in ("/institution/requests/not-an-id", "/institution/requests/%3F%2F..",
                 "/institution/not-an-id/panel", "/attachments/x%20y",
                 f"/institution/{office['x']['id']}/ratings?status=bogus",
                 f"/institution/{office['x']['id']}/agenda.csv?date=2026-13-45"):
        page = web.get(client.base_url + path)
        assert page.status_code in (403, 404), (path, page.status_code)


def test_a_citizen_following_a_request_link_goes_to_her_own_screen(client, world, office):
    citizen = world.citizen()
    request = client.post(f"{API}/services/{office['service']['id']}/requests",
                          token=citizen["token"], json={"answers": answers()}).json()
    web = web_session(client)
    assert sign_in(client, web, citizen["email"], citizen["password"]).status_code == 303
    landed = web.get(f"{client.base_url}/institution/requests/{request['id']}",
                     allow_redirects=False)
    assert (landed.status_code, landed.headers["Location"]) == (303,
                                                                f"/my-requests/{request['id']}")


def test_the_agenda_says_beside_the_day_when_it_is_not_a_day(client, office):
    web = portal(client, office["ana"])
    page = web.get(f"{client.base_url}/institution/{office['x']['id']}/agenda",
                   params={"date": "2026-13-45"})
    assert page.status_code == 422
    assert re.search(r'id="date-error"[^>]*>[^<]+<', page.text)
    assert 'value="2026-13-45"' in page.text and "Baixar CSV" in page.text


def test_editing_a_service_keeps_its_steps_and_their_ids(client, office):
    manager = office["manager"]
    service = client.get(f"{API}/services/{office['service']['id']}",
                         token=manager["token"]).json()
    web = portal(client, manager)
    path = f"/institution/services/{service['id']}"
    page = web.get(client.base_url + path).text
    for step in service["steps"]:
        assert f'value="{step["id"]}"' in page and f'value="{step["title"]}"' in page
    form = {"name": service["name"], "description": service["description"],
            "audience": service["audience"], "requirements": "\n".join(service["requirements"]),
            "due_business_days": "7", "do": "save",
            "steps.0.id": service["steps"][1]["id"], "steps.0.title": "Dados conferidos (2)",
            "steps.1.id": service["steps"][0]["id"], "steps.1.title": "Documentos conferidos"}
    for n, field in enumerate(service["form_fields"]):
        form.update({f"form_fields.{n}.name": field["name"],
                     f"form_fields.{n}.label": field["label"],
                     f"form_fields.{n}.type": field["type"],
                     f"form_fields.{n}.choices": "\n".join(field.get("choices") or [])})
        if field["required"]:
            form[f"form_fields.{n}.required"] = "on"
    saved = post(client, web, path, form)
    assert saved.status_code == 303, saved.text
    edited = client.get(f"{API}/services/{service['id']}", token=manager["token"]).json()
    assert [(s["id"], s["title"]) for s in edited["steps"]] == [
        (service["steps"][1]["id"], "Dados conferidos (2)"),
        (service["steps"][0]["id"], "Documentos conferidos")]
    assert edited["due_business_days"] == 7
    assert edited["form_fields"] == service["form_fields"]
