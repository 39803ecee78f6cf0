"""Identity through HTTP on the real runtimes: registration of every kind of account, signing in,
tokens, lockout, password reset, profile changes and provider profiles (API.md "Identity")."""
from __future__ import annotations

import base64
import hashlib
import re
import uuid

import pytest

from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj, new_cpf, register_citizen, wait_until

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89" + b"\x00" * 256)
INVITATION, STAFF_SETUP, RESET, DELETED = "convite", "defina sua senha", "redefini", "exclus"


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@ponte.test"


def tokens(mail, to: str, subject: str, count: int) -> list[str]:
    """The link tokens of the ``count`` e-mails to ``to`` about ``subject`` (several sites may
    share one address)."""
    def found():
        bodies = [mail.body(m) for m in mail.messages(to) if subject in str(m["Subject"]).lower()]
        values = [re.search(r"^Token: (\S+)$", b, re.M).group(1) for b in bodies]
        return values if len(values) >= count else None
    return wait_until(found, 20, what=f"{count} e-mail(s) to {to} about {subject!r}")


def staff_member(client, mail, roles: list[str]) -> dict:
    """Created by the bootstrap admin, password set from the e-mailed link, signed in."""
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    email, password = unique_email("staff"), "Staff#2026"
    created = client.post("/api/v1/staff", token=admin,
                          json={"email": email, "name": "Olga Operadora", "roles": roles})
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == roles
    token = mail.token(email, STAFF_SETUP)
    assert client.post(f"/api/v1/password-resets/{token}", json={
        "password": password, "password_confirmation": password}).status_code == 204
    return {"email": email, "password": password, "token": client.token(email, password),
            "id": created.json()["id"]}


def provider(client, mail, operator: str, document: str | None = None,
             password: str = "Clinic#2026", **extra) -> dict:
    """A single-site provider pre-registered and activated; signed in."""
    email = unique_email("provider")
    created = client.post("/api/v1/providers", token=operator, json={
        "document": document or new_cnpj(), "legal_name": "Clínica Sorriso", "email": email})
    assert created.status_code == 201, created.text
    token = mail.token(email, INVITATION)
    done = client.post(f"/api/v1/registrations/{token}", json={
        "provider_type": "dentist", "password": password, "password_confirmation": password,
        "accepted_terms": True, **extra})
    assert done.status_code == 201, done.text
    session = client.login(email, password)
    return {"email": email, "password": password, "id": created.json()["id"],
            "document": created.json()["document"], "token": session["access_token"]}


def secretary_body(**changes) -> dict:
    email = unique_email("secretary")
    return {"cpf": new_cpf(), "email": email, "email_confirmation": email.upper(),
            "name": "Sara Secretária", "sex": "female", "password": "Secret#1",
            "password_confirmation": "Secret#1", "accepted_terms": True, **changes}


@pytest.fixture(scope="module")
def operator(stack):
    return staff_member(stack.client, stack.mail, ["operator"])


def test_a_multi_site_provider_registers_signs_in_and_adds_images(client, mail, operator):
    cnpj, shared = new_cnpj(), unique_email("clinic")
    formatted = f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}".lower()
    created = client.post("/api/v1/providers", token=operator["token"], json={
        "document": formatted, "legal_name": "Rede Bem Estar", "email": shared,
        "sites": [{"name": "Unidade Centro", "email": shared},
                  {"name": "Unidade Norte", "email": shared.upper()}]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["document"] == cnpj and body["person_type"] == "organisation"
    assert body["status"] == "invited" and len(body["sites"]) == 2
    assert {s["status"] for s in body["sites"]} == {"invited"}
    duplicate = client.post("/api/v1/providers", token=operator["token"], json={
        "document": cnpj, "legal_name": "Outra", "email": unique_email("other")})
    assert duplicate.status_code == 409

    first, second = tokens(mail, shared, INVITATION, 2)
    view = client.get(f"/api/v1/registrations/{first}")
    assert view.status_code == 200
    assert view.json()["document"] == cnpj and view.json()["email_shared"] is True
    assert view.json()["legal_name"] == "Rede Bem Estar"
    assert {client.get(f"/api/v1/registrations/{t}").json()["site_name"]
            for t in (first, second)} == {"Unidade Centro", "Unidade Norte"}

    completion = {"password": "Clinic#2026", "password_confirmation": "Clinic#2026",
                  "accepted_terms": True}
    without_email = client.post(f"/api/v1/registrations/{first}",
                                json={**completion, "provider_type": "clinic"})
    assert without_email.status_code == 422 and "email" in without_email.json()["errors"]
    centro = unique_email("centro")
    done = client.post(f"/api/v1/registrations/{first}", json={
        **completion, "provider_type": "clinic", "email": centro})
    assert done.status_code == 201, done.text
    assert done.json()["account"]["kind"] == "provider"
    assert client.get(f"/api/v1/registrations/{first}").status_code == 404  # single use
    assert client.post(f"/api/v1/registrations/{first}", json={
        **completion, "email": unique_email("again")}).status_code == 404
    other_type = client.post(f"/api/v1/registrations/{second}", json={
        **completion, "provider_type": "hospital", "email": unique_email("norte")})
    assert other_type.status_code == 422 and "provider_type" in other_type.json()["errors"]
    taken = client.post(f"/api/v1/registrations/{second}", json={**completion,
                                                                 "email": centro.upper()})
    assert taken.status_code == 409
    norte = unique_email("norte")
    assert client.post(f"/api/v1/registrations/{second}",
                       json={**completion, "email": norte}).status_code == 201

    token = client.token(centro, "Clinic#2026")
    # two site logins: the CNPJ alone does not say which one (API.md: 409 on login)
    assert client.post("/api/v1/sessions", json={"login": cnpj,
                                                  "password": "Clinic#2026"}).status_code == 409
    me = client.get("/api/v1/me", token=token)
    assert me.status_code == 200, me.text
    me = me.json()
    assert me["kind"] == "provider" and me["email"] == centro
    assert me["provider"]["id"] == body["id"] and me["provider"]["document"] == cnpj
    assert me["provider"]["provider_type"] == "clinic"
    assert me["provider"]["site_id"] in {s["id"] for s in body["sites"]}
    assert me["acting_for"] == [{"provider_id": body["id"], "legal_name": "Rede Bem Estar",
                                 "roles": ["authorizations", "billing", "commercial",
                                           "manage_relationships"]}]

    profile = client.patch(f"/api/v1/providers/{body['id']}/profile", token=token, json={
        "address": {"street": "Rua das Flores", "number": "100", "district": "Centro",
                    "city": "Curitiba", "state": "PR", "postal_code": "80010-000"},
        "phones": ["+55 41 3333-4444"], "opening_hours": "Seg-Sex 8h-18h",
        "description": "Odontologia e clínica geral."})
    assert profile.status_code == 200, profile.text
    assert profile.json()["profile"]["phones"] == ["+55 41 3333-4444"]
    assert profile.json()["profile"]["address"]["city"] == "Curitiba"
    assert client.patch(f"/api/v1/providers/{body['id']}/profile", token=token,
                        json={"phones": "not a list"}).status_code == 422

    upload = client.post(f"/api/v1/providers/{body['id']}/images", token=token,
                         files={"file": ("fachada.png", PNG, "image/png")})
    assert upload.status_code == 201, upload.text
    image = upload.json()
    assert image["url"].endswith(f"/api/v1/providers/{body['id']}/images/{image['id']}")
    path = image["url"][len(client.base_url):]
    download = client.get(path)
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(PNG).hexdigest()
    public = client.get(f"/api/v1/providers/{body['id']}", token=operator["token"]).json()
    assert public["profile"]["images"] == [image]
    assert {s["name"] for s in public["sites"]} == {"Unidade Centro", "Unidade Norte"}
    pdf = client.post(f"/api/v1/providers/{body['id']}/images", token=token,
                      files={"file": ("x.pdf", b"%PDF-1.4\n" + b"0" * 100, "image/png")})
    assert pdf.status_code == 415
    big = client.post(f"/api/v1/providers/{body['id']}/images", token=token,
                      files={"file": ("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")})
    assert big.status_code == 413
    assert client.delete(f"{path}", token=token).status_code == 204
    assert client.get(path).status_code == 404
    assert client.delete(path, token=token).status_code == 404
    assert client.get(f"/api/v1/providers/{body['id']}", token=token).json()[
        "profile"]["images"] == []


def test_one_provider_cannot_touch_another(client, mail, operator):
    mine, theirs = provider(client, mail, operator["token"]), provider(client, mail,
                                                                      operator["token"])
    assert client.patch(f"/api/v1/providers/{theirs['id']}/profile", token=mine["token"],
                        json={"description": "x"}).status_code == 404
    assert client.post(f"/api/v1/providers/{theirs['id']}/images", token=mine["token"],
                       files={"file": ("a.png", PNG)}).status_code == 404
    citizen = register_citizen(client)
    assert client.patch(f"/api/v1/providers/{mine['id']}/profile", token=citizen["token"],
                        json={"description": "x"}).status_code == 403
    assert client.get(f"/api/v1/providers/{uuid.uuid4()}", token=citizen["token"]
                      ).status_code == 404
    assert client.get("/api/v1/providers/not-an-id", token=citizen["token"]).status_code == 404


def test_an_individual_provider_gives_its_sex_and_logs_in_by_cpf(client, mail, operator):
    cpf, email = new_cpf(), unique_email("dentist")
    created = client.post("/api/v1/providers", token=operator["token"], json={
        "document": f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}", "legal_name": "Dra. Ana",
        "email": email})
    assert created.status_code == 201 and created.json()["person_type"] == "individual"
    assert created.json()["sites"][0]["email"] == email
    token = mail.token(email, INVITATION)
    body = {"provider_type": "dentist", "password": "Dentist#1",
            "password_confirmation": "Dentist#1", "accepted_terms": True}
    missing_sex = client.post(f"/api/v1/registrations/{token}", json=body)
    assert missing_sex.status_code == 422 and "sex" in missing_sex.json()["errors"]
    no_terms = client.post(f"/api/v1/registrations/{token}",
                           json={**body, "sex": "female", "accepted_terms": False})
    assert no_terms.status_code == 422 and "accepted_terms" in no_terms.json()["errors"]
    assert client.post(f"/api/v1/registrations/{token}",
                       json={**body, "sex": "female"}).status_code == 201
    session = client.login(cpf, "Dentist#1")
    assert session["account"]["kind"] == "provider"
    me = client.get("/api/v1/me", token=session["access_token"]).json()
    assert me["cpf"] == cpf and me["sex"] == "female"
    assert me["provider"]["provider_type"] == "dentist"


def test_registration_links_unknown_are_404(client):
    assert client.get("/api/v1/registrations/nonsense").status_code == 404
    assert client.post("/api/v1/registrations/nonsense", json={
        "provider_type": "clinic", "password": "Clinic#2026",
        "password_confirmation": "Clinic#2026", "accepted_terms": True}).status_code == 404


def test_only_operators_preregister_and_only_admins_create_staff(client, operator):
    citizen = register_citizen(client)
    body = {"document": new_cnpj(), "legal_name": "X", "email": unique_email("x")}
    assert client.post("/api/v1/providers", token=citizen["token"], json=body).status_code == 403
    assert client.post("/api/v1/staff", token=operator["token"], json={
        "email": unique_email("s"), "name": "S", "roles": ["auditor"]}).status_code == 403
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.post("/api/v1/providers", token=admin, json=body).status_code == 201
    bad_roles = client.post("/api/v1/staff", token=admin, json={
        "email": unique_email("s"), "name": "S", "roles": ["root"]})
    assert bad_roles.status_code == 422
    assert client.post("/api/v1/staff", token=admin, json={
        "email": operator["email"].upper(), "name": "S", "roles": ["auditor"]}).status_code == 409


def test_a_secretary_registers_once_per_email_and_cpf(client, mail):
    body = secretary_body()
    answer = client.post("/api/v1/secretaries", json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["kind"] == "secretary" and created["email"] == body["email"]
    assert client.post("/api/v1/secretaries", json=secretary_body(
        email=body["email"].upper(), email_confirmation=body["email"])).status_code == 409
    assert client.post("/api/v1/secretaries", json=secretary_body(
        cpf=body["cpf"])).status_code == 409
    # the same person may also be a citizen
    assert client.post("/api/v1/citizens", json={
        "cpf": body["cpf"], "email": unique_email("citizen"), "name": "Sara",
        "password": "Secret#1", "password_confirmation": "Secret#1",
        "accepted_terms": True}).status_code == 201
    me = client.get("/api/v1/me", token=client.token(body["email"], "Secret#1")).json()
    assert me["cpf"] == body["cpf"] and me["sex"] == "female" and me["acting_for"] == []
    assert me["roles"] == [] and me["provider"] is None


@pytest.mark.parametrize("changes, field", [
    ({"email_confirmation": "other@ponte.test"}, "email_confirmation"),
    ({"password_confirmation": "Secret#2"}, "password_confirmation"),
    ({"accepted_terms": False}, "accepted_terms"),
    ({"password": "secret", "password_confirmation": "secret"}, "password"),
    ({"password": "Secret1", "password_confirmation": "Secret1"}, "password"),
    ({"password": "S#1", "password_confirmation": "S#1"}, "password"),
    ({"cpf": "529.982.247-24"}, "cpf"),
    ({"cpf": "111.111.111-11"}, "cpf"),
    ({"email": "not-an-email", "email_confirmation": "not-an-email"}, "email"),
    ({"sex": "other"}, "sex"),
    ({"name": "   "}, "name"),
    ({"name": None}, "name"),
])
def test_secretary_registration_refuses_invalid_fields(client, changes, field):
    answer = client.post("/api/v1/secretaries", json=secretary_body(**changes))
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["errors"]


def test_a_citizen_registration_refuses_a_taken_email_and_names_gaps(client):
    citizen = register_citizen(client)
    body = {"cpf": new_cpf(), "email": citizen["email"].upper(), "name": "C",
            "password": "Citizen#1", "password_confirmation": "Citizen#1",
            "accepted_terms": True}
    assert client.post("/api/v1/citizens", json=body).status_code == 409
    missing = client.post("/api/v1/citizens", json={"email": unique_email("c")})
    assert missing.status_code == 422
    assert {"cpf", "name", "password", "password_confirmation",
            "accepted_terms"} <= set(missing.json()["errors"])


def test_sign_in_works_by_email_cpf_or_cnpj_in_any_spelling(client, mail, operator):
    citizen_cpf, email = new_cpf(), unique_email("citizen")
    client.post("/api/v1/citizens", json={
        "cpf": citizen_cpf, "email": email, "name": "Cida", "password": "Citizen#1",
        "password_confirmation": "Citizen#1", "accepted_terms": True})
    formatted = f"{citizen_cpf[:3]}.{citizen_cpf[3:6]}.{citizen_cpf[6:9]}-{citizen_cpf[9:]}"
    assert client.login(formatted, "Citizen#1")["account"]["email"] == email
    assert client.login(email.upper(), "Citizen#1", remember_me=True)["token_type"] == "Bearer"
    clinic = provider(client, mail, operator["token"])
    session = client.login(clinic["document"].lower(), clinic["password"])
    assert session["account"]["kind"] == "provider"
    assert session["expires_in"] > 0 and session["refresh_token"]


def test_failures_lock_known_and_unknown_logins_alike(client):
    citizen = register_citizen(client)
    unknown = unique_email("nobody")
    wrong = [client.post("/api/v1/sessions", json={"login": login, "password": "Wrong#123"})
             for login in (citizen["email"], unknown) for _ in range(5)]
    assert {a.status_code for a in wrong} == {401}
    assert len({a.json()["detail"] for a in wrong}) == 1  # known and unknown look the same
    for login, password in ((citizen["email"], citizen["password"]), (unknown, "Wrong#123")):
        locked = client.post("/api/v1/sessions", json={"login": login, "password": password})
        assert locked.status_code == 429, locked.text
        assert 0 < int(locked.headers["Retry-After"]) <= 60
        assert locked.headers["Content-Type"].startswith("application/problem+json")
    other = register_citizen(client)  # one login's lockout never affects another
    assert client.login(other["email"], other["password"])["access_token"]


def test_refresh_rotates_and_reuse_ends_the_chain(client):
    citizen = register_citizen(client)
    first = client.login(citizen["email"], citizen["password"])
    second = client.post("/api/v1/sessions/refresh", json={"refresh_token": first[
        "refresh_token"]})
    assert second.status_code == 200, second.text
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", token=second["access_token"]).status_code == 200
    reuse = client.post("/api/v1/sessions/refresh", json={"refresh_token": first[
        "refresh_token"]})
    assert reuse.status_code == 401
    assert client.post("/api/v1/sessions/refresh", json={
        "refresh_token": second["refresh_token"]}).status_code == 401
    wait_until(lambda: client.get("/api/v1/me", token=second["access_token"]
                                  ).status_code == 401, 10, what="the chain's access token")
    assert client.get("/api/v1/me", token=first["access_token"]).status_code == 401
    assert client.post("/api/v1/sessions/refresh", json={
        "refresh_token": "garbage"}).status_code == 401
    assert client.login(citizen["email"], citizen["password"])["access_token"]


def test_logout_ends_the_session_only(client):
    citizen = register_citizen(client)
    other = client.login(citizen["email"], citizen["password"])
    session = client.login(citizen["email"], citizen["password"])
    assert client.delete("/api/v1/sessions/current",
                         token=session["access_token"]).status_code == 204
    assert client.post("/api/v1/sessions/refresh", json={
        "refresh_token": session["refresh_token"]}).status_code == 401
    wait_until(lambda: client.get("/api/v1/me", token=session["access_token"]
                                  ).status_code == 401, 10, what="the access token to stop")
    assert client.get("/api/v1/me", token=other["access_token"]).status_code == 200


def test_password_reset_by_single_use_link_ends_sessions(client, mail):
    citizen = register_citizen(client)
    assert client.post("/api/v1/password-resets",
                       json={"email": unique_email("nobody")}).status_code == 202
    assert client.post("/api/v1/password-resets",
                       json={"email": citizen["email"].upper()}).status_code == 202
    token = mail.token(citizen["email"], RESET)
    weak = client.post(f"/api/v1/password-resets/{token}", json={
        "password": "weakness", "password_confirmation": "weakness"})
    assert weak.status_code == 422 and "password" in weak.json()["errors"]
    assert client.post(f"/api/v1/password-resets/{token}", json={
        "password": "Renewed#1", "password_confirmation": "Renewed#1"}).status_code == 204
    assert client.post(f"/api/v1/password-resets/{token}", json={
        "password": "Again#123", "password_confirmation": "Again#123"}).status_code == 404
    wait_until(lambda: client.get("/api/v1/me", token=citizen["token"]).status_code == 401, 10,
               what="old sessions to end")
    assert client.post("/api/v1/sessions", json={
        "login": citizen["email"], "password": citizen["password"]}).status_code == 401
    assert client.login(citizen["email"], "Renewed#1")["access_token"]
    assert client.post("/api/v1/password-resets/unknown-token", json={
        "password": "Renewed#1", "password_confirmation": "Renewed#1"}).status_code == 404


def test_change_email_and_password_need_the_current_password(client):
    citizen, other = register_citizen(client), register_citizen(client)
    token, new_email = citizen["token"], unique_email("moved")
    wrong = client.post("/api/v1/me/email", token=token,
                        json={"current_password": "Wrong#123", "new_email": new_email})
    assert wrong.status_code == 422 and "current_password" in wrong.json()["errors"]
    assert client.post("/api/v1/me/email", token=token, json={
        "current_password": citizen["password"],
        "new_email": other["email"].upper()}).status_code == 409
    moved = client.post("/api/v1/me/email", token=token, json={
        "current_password": citizen["password"], "new_email": new_email})
    assert moved.status_code == 200 and moved.json()["email"] == new_email

    second = client.login(new_email, citizen["password"])
    wrong = client.post("/api/v1/me/password", token=token, json={
        "current_password": "Wrong#123", "new_password": "Changed#1",
        "new_password_confirmation": "Changed#1"})
    assert wrong.status_code == 422 and "current_password" in wrong.json()["errors"]
    mismatch = client.post("/api/v1/me/password", token=token, json={
        "current_password": citizen["password"], "new_password": "Changed#1",
        "new_password_confirmation": "Changed#2"})
    assert mismatch.status_code == 422
    assert "new_password_confirmation" in mismatch.json()["errors"]
    assert client.post("/api/v1/me/password", token=token, json={
        "current_password": citizen["password"], "new_password": "Changed#1",
        "new_password_confirmation": "Changed#1"}).status_code == 204
    assert client.get("/api/v1/me", token=token).status_code == 200  # this session stays
    wait_until(lambda: client.get("/api/v1/me", token=second["access_token"]
                                  ).status_code == 401, 10, what="the other session to end")
    assert client.login(new_email, "Changed#1")["access_token"]


def test_a_profile_update_trims_the_name_and_refuses_a_bad_email(client):
    citizen = register_citizen(client)
    answer = client.patch("/api/v1/me", token=citizen["token"], json={
        "name": "  Cida Nova ", "secondary_email": "alt@ponte.test"})
    assert answer.status_code == 200
    assert answer.json()["name"] == "Cida Nova"
    assert answer.json()["secondary_email"] == "alt@ponte.test"
    assert client.patch("/api/v1/me", token=citizen["token"],
                        json={"secondary_email": "nope"}).status_code == 422


def test_a_deleted_account_can_no_longer_sign_in_or_use_its_token(client, mail):
    citizen = register_citizen(client)
    wrong = client.request("DELETE", "/api/v1/me", token=citizen["token"],
                           json={"current_password": "Wrong#123"})
    assert wrong.status_code == 422 and "current_password" in wrong.json()["errors"]
    assert client.request("DELETE", "/api/v1/me", token=citizen["token"],
                          json={"current_password": citizen["password"]}).status_code == 204
    mail.wait_for(citizen["email"], DELETED)
    assert client.post("/api/v1/sessions", json={
        "login": citizen["email"], "password": citizen["password"]}).status_code == 401
    wait_until(lambda: client.get("/api/v1/me", token=citizen["token"]).status_code == 401, 10,
               what="the deleted account's token to stop")


def test_deleted_provider_keeps_its_public_data(client, mail, operator):
    clinic = provider(client, mail, operator["token"])
    assert client.request("DELETE", "/api/v1/me", token=clinic["token"], json={
        "current_password": clinic["password"]}).status_code == 204
    public = client.get(f"/api/v1/providers/{clinic['id']}", token=operator["token"])
    assert public.status_code == 200 and public.json()["legal_name"] == "Clínica Sorriso"
    assert client.post("/api/v1/sessions", json={
        "login": clinic["document"], "password": clinic["password"]}).status_code == 401


def test_secretaries_are_found_by_name_in_masked_pages_or_by_cpf(client, mail, operator):
    tag = uuid.uuid4().hex[:6]
    created = []
    for index in range(3):
        body = secretary_body(name=f"Zélia {tag} {index}")
        assert client.post("/api/v1/secretaries", json=body).status_code == 201
        created.append(body)
    clinic = provider(client, mail, operator["token"])
    by_name = client.get("/api/v1/secretaries", token=clinic["token"],
                         params={"name": f"zelia {tag}", "limit": 2})
    assert by_name.status_code == 200, by_name.text
    page = by_name.json()
    assert [i["name"] for i in page["items"]] == [f"Zélia {tag} 0", f"Zélia {tag} 1"]
    assert [i["email"] for i in page["items"]] == [  # masked in a name search
        f"{b['email'][:2]}***@{b['email'].split('@')[1]}" for b in created[:2]]
    assert page["next_cursor"]
    rest = client.get("/api/v1/secretaries", token=clinic["token"], params={
        "name": f"Zélia {tag}", "limit": 2, "cursor": page["next_cursor"]}).json()
    assert [i["name"] for i in rest["items"]] == [f"Zélia {tag} 2"] and not rest["next_cursor"]
    cpf = created[1]["cpf"]
    by_cpf = client.get("/api/v1/secretaries", token=clinic["token"],
                        params={"cpf": f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"}).json()
    assert [i["email"] for i in by_cpf["items"]] == [created[1]["email"]]
    by_email = client.get("/api/v1/secretaries", token=clinic["token"],
                          params={"email": created[2]["email"].upper()}).json()
    assert set(by_email["items"][0]) == {"id", "name", "email"}
    assert client.get("/api/v1/secretaries", token=clinic["token"]).status_code == 422
    assert client.get("/api/v1/secretaries", token=clinic["token"],
                      params={"name": "xyz", "limit": 201}).status_code == 422
    for cursor in ("!!", base64.urlsafe_b64encode(b'["a\\u0000", "b"]').decode(),
                   base64.urlsafe_b64encode(b'["\\ud800", "b"]').decode(),
                   base64.urlsafe_b64encode(b"[" * 3000).decode()):
        assert client.get("/api/v1/secretaries", token=clinic["token"],
                          params={"name": "xyz", "cursor": cursor}).status_code == 400, cursor
    assert client.get("/api/v1/providers/a%00b", token=clinic["token"]).status_code == 404
    citizen = register_citizen(client)
    assert client.get("/api/v1/secretaries", token=citizen["token"],
                      params={"name": "xyz"}).status_code == 403


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("POST", "/api/v1/secretaries", {"data": "{nope", "headers": {
        "Content-Type": "application/json"}}, 400),
    ("POST", "/api/v1/citizens", {"json": [1, 2]}, 422),
    ("POST", "/api/v1/citizens", {"json": "text"}, 422),
    ("POST", "/api/v1/sessions", {"data": "login=a", "headers": {
        "Content-Type": "text/plain"}}, 415),
    ("POST", "/api/v1/sessions", {"json": {"login": 5, "password": None}}, 422),
    ("POST", "/api/v1/sessions", {"json": {"login": "x" * 400, "password": "p"}}, 422),
    ("POST", "/api/v1/sessions", {"json": {"login": "nobody", "password": "p"}}, 401),
    ("POST", "/api/v1/sessions/refresh", {"json": {}}, 422),
    ("GET", "/api/v1/identity-nowhere", {}, 404),
    ("GET", "/api/v1/me", {}, 401),
    ("PATCH", "/api/v1/me", {"json": {"name": "x"}}, 401),
    ("POST", "/api/v1/staff", {"json": {}}, 401),
    ("GET", "/api/v1/providers/x", {}, 404),  # public (API.md), and no such provider
    ("POST", "/api/v1/password-resets", {"json": {"email": "not-an-email"}}, 422),
    ("POST", "/api/v1/providers", {"json": {}, "headers": {
        "Authorization": "Bearer not.a.token"}}, 401),
    ("POST", "/api/v1/sessions", {"data": "[" * 100_000, "headers": {
        "Content-Type": "application/json"}}, 400),
    ("POST", "/api/v1/sessions", {"data": '{"login": "\\ud800", "password": "p"}',
                                  "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/api/v1/sessions", {"json": {"login": "a\x00@ponte.test", "password": "p"}}, 422),
])
def test_bad_input_gets_a_problem_never_a_500(client, method, path, kwargs, status):
    answer = client.request(method, path, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["status"] == status


def test_a_secretary_with_commercial_edits_the_profile_and_sees_acting_for(client, mail,
                                                                          operator):
    clinic = provider(client, mail, operator["token"])
    body = secretary_body()
    secretary_id = client.post("/api/v1/secretaries", json=body).json()["id"]
    token = client.token(body["email"], "Secret#1")
    assert client.patch(f"/api/v1/providers/{clinic['id']}/profile", token=token,
                        json={"description": "x"}).status_code == 403

    def invited():
        answer = client.post(f"/api/v1/providers/{clinic['id']}/invitations",
                             token=clinic["token"],
                             json={"secretary_id": secretary_id, "roles": ["commercial"]})
        return answer if answer.status_code == 201 else None
    invitation = wait_until(invited, 10, 0.2, "relationships to know the secretary").json()
    accepted = client.post(f"/api/v1/invitations/{invitation['id']}/accept", token=token,
                           json={"until": None})
    assert accepted.status_code == 200, accepted.text
    me = client.get("/api/v1/me", token=token).json()
    assert me["acting_for"] == [{"provider_id": clinic["id"], "legal_name": "Clínica Sorriso",
                                 "roles": ["commercial"]}]
    edited = client.patch(f"/api/v1/providers/{clinic['id']}/profile", token=token,
                          json={"description": "Atendimento infantil."})
    assert edited.status_code == 200 and edited.json()["profile"]["description"] == \
        "Atendimento infantil."
    image = client.post(f"/api/v1/providers/{clinic['id']}/images", token=token,
                        files={"file": ("logo.png", PNG)})
    assert image.status_code == 201, image.text
    changed = client.patch(f"/api/v1/relationships/{accepted.json()['id']}",
                           token=clinic["token"], json={"roles": ["billing"]})
    assert changed.status_code == 200, changed.text
    wait_until(lambda: client.patch(f"/api/v1/providers/{clinic['id']}/profile", token=token,
                                    json={"description": "y"}).status_code == 403, 10, 0.2,
               "the secretary to lose the commercial role")


FULL_PROFILE = {"address": {"street": "Rua XV", "number": "100", "district": "Centro",
                            "city": "Curitiba", "state": "pr", "postal_code": "80.010-000"},
                "phones": ["+55 41 3333-4444"]}


def test_the_public_finds_active_providers_by_any_word_type_and_city(client, mail, operator):
    """Issue 17 item 1: GET /providers and GET /providers/{id} without a token."""
    tag = uuid.uuid4().hex[:6]
    clinic = provider(client, mail, operator["token"])
    name = client.get(f"/api/v1/providers/{clinic['id']}").json()["legal_name"]
    assert name == "Clínica Sorriso"
    pending = client.post("/api/v1/providers", token=operator["token"], json={
        "document": new_cnpj(), "legal_name": f"Clínica Pendente {tag}",
        "email": unique_email("pending")}).json()
    assert client.patch(f"/api/v1/providers/{clinic['id']}/profile", token=clinic["token"],
                        json={"address": {**FULL_PROFILE["address"],
                                          "city": f"São Tagópolis {tag}"}}).status_code == 200
    found = client.get("/api/v1/providers", params={"q": "SORRISO clin",
                                                    "city": f"sao tagopolis {tag}"})
    assert found.status_code == 200, found.text
    [item] = found.json()["items"]
    assert item["id"] == clinic["id"] and "status" not in item
    assert set(item) >= {"id", "legal_name", "provider_type", "sites", "profile"}
    assert item["profile"]["address"]["state"] == "PR"
    assert item["profile"]["address"]["postal_code"] == "80010000"
    assert client.get("/api/v1/providers", params={
        "provider_type": "hospital", "city": f"sao tagopolis {tag}"}).json()["items"] == []
    assert client.get("/api/v1/providers", params={"q": "cl"}).status_code == 422
    assert client.get("/api/v1/providers", params={"status": "invited"}).status_code == 403
    assert client.get(f"/api/v1/providers/{pending['id']}").status_code == 404
    seen = client.get(f"/api/v1/providers/{pending['id']}", token=operator["token"])
    assert seen.status_code == 200 and seen.json()["status"] == "invited"
    invited = client.get("/api/v1/providers", token=operator["token"],
                         params={"q": f"pendente {tag}", "status": "invited"}).json()["items"]
    assert [(p["id"], p["status"]) for p in invited] == [(pending["id"], "invited")]
    assert client.get(f"/api/v1/providers/{clinic['id']}",
                      token=clinic["token"]).json()["status"] == "active"


def test_me_says_what_the_profile_still_needs(client, mail, operator):
    """Issue 17 item 11: missing_profile on GET /me, empty once address and phone are in."""
    clinic = provider(client, mail, operator["token"])
    me = client.get("/api/v1/me", token=clinic["token"]).json()
    assert me["missing_profile"] == ["address.street", "address.number", "address.district",
                                     "address.city", "address.state", "address.postal_code",
                                     "phones"]
    assert client.patch(f"/api/v1/providers/{clinic['id']}/profile", token=clinic["token"],
                        json=FULL_PROFILE).status_code == 200
    assert client.get("/api/v1/me", token=clinic["token"]).json()["missing_profile"] == []
    citizen = register_citizen(client)
    assert client.get("/api/v1/me", token=citizen["token"]).json()["missing_profile"] == []


@pytest.mark.parametrize("address, fields", [
    ({"state": "XX", "postal_code": "1234"}, {"address.state", "address.postal_code"}),
    ({"state": "RJ", "postal_code": "20040-0021"}, {"address.postal_code"}),
    ({"state": "Rio", "postal_code": "20.040-002"}, {"address.state"}),
])
def test_the_profile_address_takes_a_uf_and_a_cep(client, mail, operator, address, fields):
    clinic = provider(client, mail, operator["token"])
    answer = client.patch(f"/api/v1/providers/{clinic['id']}/profile", token=clinic["token"],
                          json={"address": address, "phones": ["x"]})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == fields | {"phones.0"}


def test_a_cnpj_of_several_site_logins_asks_for_the_site_email(client, mail, operator):
    """Issue 17 item 12: the right password of one site, given with the shared CNPJ, is a 409
    telling to sign in with the site's e-mail; a wrong one stays a plain 401."""
    document, sites = new_cnpj(), [unique_email("site-a"), unique_email("site-b")]
    created = client.post("/api/v1/providers", token=operator["token"], json={
        "document": document, "legal_name": "Rede Duas Sedes", "email": sites[0],
        "sites": [{"name": "A", "email": sites[0]}, {"name": "B", "email": sites[1]}]})
    assert created.status_code == 201, created.text
    token = mail.token(sites[0], INVITATION)
    assert client.post(f"/api/v1/registrations/{token}", json={
        "provider_type": "clinic", "password": "Clinic#2026",
        "password_confirmation": "Clinic#2026", "accepted_terms": True}).status_code == 201
    answer = client.post("/api/v1/sessions", json={"login": document, "password": "Clinic#2026"})
    assert answer.status_code == 409, answer.text
    assert "e-mail" in answer.json()["errors"]["login"][0]
    wrong = client.post("/api/v1/sessions", json={"login": document, "password": "Wrong#2026"})
    assert wrong.status_code == 401
    assert client.login(sites[0], "Clinic#2026")["account"]["kind"] == "provider"


def test_secretaries_are_found_by_any_word_of_the_name(client, mail, operator):
    """Issue 17 item 8: ``souza`` finds "Ana Maria Souza"; words under 3 characters are 422."""
    tag = uuid.uuid4().hex[:6]
    body = secretary_body(name=f"Ana Maria Souza Tagx{tag}")
    created = client.post("/api/v1/secretaries", json=body).json()
    clinic = provider(client, mail, operator["token"])
    for query in (f"souza tagx{tag}", f"TAGX{tag} MARIA", f"sóuza tagx{tag} ana"):
        found = client.get("/api/v1/secretaries", token=clinic["token"], params={"name": query})
        assert [i["id"] for i in found.json()["items"]] == [created["id"]], query
        assert "***@" in found.json()["items"][0]["email"]
    short = client.get("/api/v1/secretaries", token=clinic["token"],
                       params={"name": f"an tagx{tag}"})
    assert short.status_code == 422 and "name" in short.json()["errors"]


def _errors(answer) -> set[str]:
    assert answer.status_code == 422, answer.text
    return set(answer.json()["errors"])


def test_every_field_error_comes_in_one_answer(client, mail, operator):
    """Issue 17 item 4: a body with several independent mistakes to each create and update
    endpoint of identity names every one of them in the first answer."""
    assert _errors(client.post("/api/v1/secretaries", json={
        "cpf": "123", "email": "no", "email_confirmation": "x@ponte.test", "name": "",
        "sex": "other", "password": "short", "password_confirmation": "other",
        "accepted_terms": False})) >= {"cpf", "email", "name", "sex", "password",
                                       "password_confirmation", "accepted_terms"}
    assert _errors(client.post("/api/v1/citizens", json={
        "cpf": "123", "email": "ok@ponte.test", "name": "Cida", "password": "abc",
        "password_confirmation": "abd", "accepted_terms": True})) == {
        "cpf", "password", "password_confirmation"}
    email = unique_email("late")
    client.post("/api/v1/providers", token=operator["token"], json={
        "document": new_cpf(), "legal_name": "Dra. Ana", "email": email})
    token = mail.token(email, INVITATION)
    assert _errors(client.post(f"/api/v1/registrations/{token}", json={
        "password": "abc", "password_confirmation": "abd", "accepted_terms": True,
        "secondary_email": "nope"})) == {"provider_type", "sex", "password",
                                         "password_confirmation", "secondary_email"}
    assert _errors(client.post(f"/api/v1/registrations/{token}", json={
        "provider_type": "spa", "sex": "female", "password": "abc",
        "password_confirmation": "abc", "accepted_terms": True})) == {"provider_type",
                                                                        "password"}
    assert _errors(client.post("/api/v1/providers", token=operator["token"], json={
        "document": "1", "legal_name": "", "email": "x", "sites": [{"name": "", "email": ""}]
    })) >= {"document", "legal_name", "email", "sites.0.name", "sites.0.email"}
    assert _errors(client.post("/api/v1/staff", token=client.token(
        ADMIN_EMAIL, ADMIN_PASSWORD), json={"email": "x", "name": "", "roles": ["boss"]})) >= {
        "email", "name", "roles.0"}
    citizen = register_citizen(client)
    client.post("/api/v1/password-resets", json={"email": citizen["email"]})
    reset = mail.token(citizen["email"], RESET)
    assert _errors(client.post(f"/api/v1/password-resets/{reset}", json={
        "password": "abc", "password_confirmation": "abd"})) == {"password",
                                                                "password_confirmation"}
    assert _errors(client.patch("/api/v1/me", token=citizen["token"], json={
        "name": "", "secondary_email": "x", "locale": "fr"})) == {
        "name", "secondary_email", "locale"}
    assert _errors(client.post("/api/v1/me/password", token=citizen["token"], json={
        "current_password": "Wrong#999", "new_password": "abc",
        "new_password_confirmation": "abd"})) == {"current_password", "new_password",
                                                  "new_password_confirmation"}
    assert _errors(client.post("/api/v1/me/email", token=citizen["token"], json={
        "current_password": "Wrong#999", "new_email": "nope"})) == {"current_password",
                                                                      "new_email"}
    clinic = provider(client, mail, operator["token"])
    assert _errors(client.patch(f"/api/v1/providers/{clinic['id']}/profile",
                                token=clinic["token"], json={
        "address": {"state": "ZZ", "postal_code": "1"}, "phones": ["call me"],
        "opening_hours": 5, "description": ["x"]})) == {
        "address.state", "address.postal_code", "phones.0", "opening_hours", "description"}
