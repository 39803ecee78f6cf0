"""The authorization screens over plain HTTP (issue 19): a request made with the form (rows,
attachments kept across a failed submission, item errors beside their item), sent once with
two presses, found in the list and in the CSV; the auditor's queue and decision; payments
typed in the person's locale; and refusals: a secretary without ``authorizations`` gets no
menu entry and no data, a stranger's request is the 404 page. The browser walk is in
tests/browser/test_portal_authorizations.py."""
from __future__ import annotations

import re

import pytest

from tests.e2e.test_authorizations import (
    API,
    BENEFICIARY,
    CONSULTATION,
    PDF,
    PERIAPICAL,
    PROFESSIONAL,
    RESIN_2F,
    ROOT_CANAL,
    Desk,
)
from tests.e2e.test_portal import browser, csrf_of, sign_in
from tests.e2e.test_relationships import PASSWORD


@pytest.fixture(scope="module")
def desk(stack):
    return Desk(stack.client, stack.mail)


@pytest.fixture(scope="module")
def clinic(desk):
    return desk.provider("Clínica Portal")


def signed_in(client, email: str):
    web = browser(client)
    answer = sign_in(client, web, email, PASSWORD)
    assert answer.status_code == 303, answer.text
    return web


def form_of(html: str) -> dict:
    return {"csrf": csrf_of(html),
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]*)"',
                                         html).group(1)}


def filled(page: str, **extra) -> dict:
    return {**form_of(page), "demand_group": "rede_credenciada_movimentacoes",
            "demand_type": "odontologia_solic_proced_ambulatoriais",
            "contact.name": "Regina Recepção", "contact.phone": "(21) 3479-1200",
            "contact.email": "recepcao@sorriso.test", "professional_document": PROFESSIONAL,
            "beneficiary.cpf": BENEFICIARY, "beneficiary.card_number": "090216100",
            "observations": "Dor no 36.", **extra}


def test_a_failed_submission_keeps_everything_and_puts_item_errors_beside_the_item(
        client, clinic):
    web = signed_in(client, clinic["email"])
    base = client.base_url
    page = web.get(base + "/authorizations/new")
    assert page.status_code == 200
    for name in ("Nova solicitação", "Grupo de demanda", "Demanda", "Nome do contato",
                 "Telefone do contato", "E-mail do contato",
                 "CPF/CNPJ do profissional solicitante", "CPF do beneficiário",
                 "Número da carteirinha", "Observações", "Procedimento", "Quantidade", "Dente",
                 "Região", "Faces", "Adicionar procedimento", "Anexar arquivo",
                 "Salvar rascunho", "Enviar", "10 MB"):
        assert name in page.text, name
    more = web.post(base + "/authorizations/new", data=filled(
        page.text, rows="1", action="add_row", **{"items.0.procedure": CONSULTATION}))
    assert more.status_code == 200 and 'name="items.1.procedure"' in more.text
    failed = web.post(base + "/authorizations/new", data=filled(
        more.text, rows="2", action="send", **{
            "items.0.procedure": CONSULTATION, "items.0.quantity": "1",
            "items.1.procedure": PERIAPICAL, "items.1.quantity": "1"}),
        files={"files": ("raio-x.pdf", PDF, "application/pdf")})
    assert failed.status_code == 422, failed.text
    # the tooth error sits beside the second row, the file is kept as an uploaded id
    assert re.search(r'id="items-1-tooth-error"[^>]*>[^<]+<', failed.text)
    assert 'name="attachment_ids" value="' in failed.text and "raio-x.pdf" in failed.text
    assert 'value="Regina Recepção"' in failed.text
    kept_id = re.search(r'name="attachment_ids" value="([^"]+)"', failed.text).group(1)
    data = filled(failed.text, rows="2", action="send", attachment_ids=kept_id,
                  attachment_names="raio-x.pdf", **{
                      "items.0.procedure": CONSULTATION, "items.0.quantity": "1",
                      "items.1.procedure": PERIAPICAL, "items.1.quantity": "1",
                      "items.1.tooth": "36"})
    first = web.post(base + "/authorizations/new", data=data, allow_redirects=False)
    again = web.post(base + "/authorizations/new", data=data, allow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]  # two presses, one request
    shown = web.get(base + first.headers["Location"])
    number = re.search(r'id="request-number">([0-9]{8})<', shown.text).group(1)
    assert 'id="request-protocol">' in shown.text and "raio-x.pdf" in shown.text
    listed = web.get(base + "/authorizations", params={"number": number})
    assert number in listed.text and "090216100" in listed.text
    csv = web.get(base + "/authorizations/export.csv", params={"beneficiary": "090216100"})
    assert csv.headers["Content-Type"].startswith("text/csv") and number in csv.text


def test_the_auditor_decides_per_item_and_a_reason_is_required(client, desk, clinic):
    auditor = desk.staff(["auditor"], "Aurora Portal")
    made = client.post(f"{API}/authorization-requests", token=clinic["token"], json={
        "demand_group": "rede_credenciada_movimentacoes",
        "demand_type": "odontologia_solic_proced_ambulatoriais",
        "contact": {"name": "R", "phone": "(21) 3479-1200", "email": "r@s.test"},
        "professional_document": PROFESSIONAL, "beneficiary": {"cpf": BENEFICIARY},
        "items": [{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 11},
                  {"procedure_code": RESIN_2F, "quantity": 1, "tooth": 36, "faces": ["O"]}]})
    assert made.status_code == 201, made.text
    request = made.json()
    web = signed_in(client, auditor["email"])
    queue = web.get(client.base_url + "/audit-queue")
    assert "Fila de auditoria" in queue.text and request["number"] in queue.text
    page = web.get(client.base_url + f"/authorizations/{request['id']}")
    assert "Autorizar" in page.text and "Negar" in page.text
    canal, resin = request["items"]
    url = client.base_url + f"/authorizations/{request['id']}/decision"
    refused = web.post(url, data={"csrf": csrf_of(page.text), f"decision_{canal['id']}": "no",
                                  f"decision_{resin['id']}": "yes"})
    assert refused.status_code == 422 and 'id="decision-justification-error"' in refused.text
    decided = web.post(url, data={"csrf": csrf_of(page.text), f"decision_{canal['id']}": "no",
                                  f"reason_{canal['id']}": "technical",
                                  f"decision_{resin['id']}": "yes",
                                  "justification": "Sem radiografia."})
    assert decided.status_code == 200 and "Parcialmente autorizada" in decided.text
    assert "Autorizar" not in decided.text  # decided: no decision offered any more


def test_money_typed_in_the_locale_is_sent_as_an_exact_decimal(client, desk, clinic):
    operator = desk.staff(["operator"], "Olga Pagadora")
    web = signed_in(client, operator["email"])
    page = web.get(client.base_url + "/payments/new")
    assert page.status_code == 200 and clinic["legal_name"] in page.text
    form = {**form_of(page.text), "provider_id": clinic["id"], "invoice.number": "NF 77",
            "invoice.issued_on": "2026-11-03", "invoice.amount": "1.234,56",
            "amount_paid": "1.000,00", "paid_on": "2026-11-20"}
    wrong = web.post(client.base_url + "/payments/new", data={**form, "amount_paid": "12,345"})
    assert wrong.status_code == 422 and 'id="amount_paid-error"' in wrong.text
    assert 'value="12,345"' in wrong.text
    done = web.post(client.base_url + "/payments/new", data=form, allow_redirects=False)
    assert done.status_code == 303, done.text
    [paid] = [p for p in client.get(f"{API}/payments", token=clinic["token"]).json()["items"]
              if p["invoice"]["number"] == "NF 77"]
    assert (paid["invoice"]["amount"], paid["amount_paid"], paid["withheld"]) == (
        "1234.56", "1000.00", "234.56")
    mine = signed_in(client, clinic["email"]).get(client.base_url + "/payments")
    assert "R$\xa01.234,56" in mine.text and "R$\xa0234,56" in mine.text


def test_a_secretary_without_authorizations_gets_no_menu_entry_and_no_data(client, desk,
                                                                           clinic):
    secretary = desk.secretary("Bia Billing")
    desk.relate(clinic, secretary, ["billing"])
    web = signed_in(client, secretary["email"])
    home = web.get(client.base_url + "/")
    assert "Solicitações de autorização" not in home.text and "Pagamentos" in home.text
    listing = web.get(client.base_url + "/authorizations")
    assert listing.status_code == 403 and "090216100" not in listing.text
    assert web.get(client.base_url + "/authorizations/export.csv").status_code == 403
    stranger = desk.provider("Clínica Alheia")
    own = client.post(f"{API}/authorization-requests", token=clinic["token"], json={
        "demand_group": "rede_credenciada_movimentacoes",
        "demand_type": "odontologia_solic_proced_ambulatoriais",
        "contact": {"name": "R", "phone": "(21) 3479-1200", "email": "r@s.test"},
        "professional_document": PROFESSIONAL, "beneficiary": {"cpf": BENEFICIARY},
        "items": [{"procedure_code": CONSULTATION, "quantity": 1}]}).json()
    other = signed_in(client, stranger["email"])
    page = other.get(client.base_url + f"/authorizations/{own['id']}")
    assert page.status_code == 404 and own["number"] not in page.text


def test_a_draft_is_edited_through_the_api_then_sent_and_a_decided_one_offers_no_edit(
        client, clinic):
    web = signed_in(client, clinic["email"])
    base = client.base_url
    page = web.get(base + "/authorizations/new")
    saved = web.post(base + "/authorizations/new", data=filled(
        page.text, rows="2", action="draft", **{
            "items.0.procedure": CONSULTATION, "items.0.quantity": "1",
            "items.1.procedure": "radiografia periapical", "items.1.quantity": "1",
            "items.1.tooth": "46"}), allow_redirects=False)
    assert saved.status_code == 303, saved.text
    address = base + saved.headers["Location"].split("?")[0]
    draft = web.get(address)
    assert "Solicitação em rascunho" in draft.text and PERIAPICAL in draft.text
    csrf = csrf_of(draft.text)
    wrong = web.post(address + "/items", data={"csrf": csrf, "rows": "1",
                                               "items.0.procedure": RESIN_2F,
                                               "items.0.quantity": "1", "items.0.tooth": "36"})
    assert wrong.status_code == 422 and re.search(
        r'id="items-0-faces-error"[^>]*>[^<]+<', wrong.text)  # beside the item
    added = web.post(address + "/items", data={"csrf": csrf, "rows": "1",
                                               "items.0.procedure": RESIN_2F,
                                               "items.0.quantity": "1", "items.0.tooth": "36",
                                               "items.0.faces": ["O", "M"]})
    assert added.status_code == 200 and RESIN_2F in added.text
    removal = re.search(r'action="(/authorizations/[^"]+/items/[^"]+/remove)"', added.text)
    removed = web.post(base + removal.group(1), data={"csrf": csrf})
    assert removed.status_code == 200 and "Remover" in removed.text
    sent = web.post(address + "/submit", data={
        "csrf": csrf, "idempotency_key": form_of(removed.text)["idempotency_key"]})
    assert sent.status_code == 200 and 'id="request-number"' in sent.text
    assert "Adicionar procedimento" not in sent.text  # no longer a draft: no edit offered
    forced = web.post(address + "/items", data={"csrf": csrf, "rows": "1",
                                                "items.0.procedure": CONSULTATION,
                                                "items.0.quantity": "1"})
    assert forced.status_code == 409  # forced through the address: the API's refusal page


def test_documents_a_message_from_the_auditor_and_a_cancellation(client, desk, clinic):
    made = client.post(f"{API}/authorization-requests", token=clinic["token"], json={
        "demand_group": "rede_credenciada_movimentacoes",
        "demand_type": "odontologia_solic_proced_ambulatoriais",
        "contact": {"name": "R", "phone": "(21) 3479-1200", "email": "r@s.test"},
        "professional_document": PROFESSIONAL, "beneficiary": {"cpf": BENEFICIARY},
        "items": [{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 11}]}).json()
    web = signed_in(client, clinic["email"])
    address = client.base_url + f"/authorizations/{made['id']}"
    page = web.get(address)
    assert "Enviar documentos" in page.text and "Cancelar solicitação" in page.text
    assert "Recorrer" not in page.text  # awaiting audit: nothing to appeal
    empty = web.post(address + "/documents", data={"csrf": csrf_of(page.text), "message": ""})
    assert empty.status_code == 422 and re.search(r'id="documents-message-error"[^>]*>[^<]+<',
                                                  empty.text)
    sent = web.post(address + "/documents", data={"csrf": csrf_of(page.text),
                                                  "message": "Radiografia inicial."},
                    files={"files": ("rx.pdf", PDF, "application/pdf")})
    assert sent.status_code == 200 and "rx.pdf" in sent.text and "Documento" in sent.text
    auditor = desk.staff(["auditor"], "Alice Auditora")
    staff = signed_in(client, auditor["email"])
    seen = staff.get(address)
    assert "Enviar mensagem ao prestador" in seen.text and "Cancelar solicitação" not in seen.text
    told = staff.post(address + "/documents", data={"csrf": csrf_of(seen.text), "form": "message",
                                                    "message": "Envie a panorâmica."})
    assert told.status_code == 200 and "Envie a panorâmica." in told.text
    refused = staff.post(address + "/cancel", data={"csrf": csrf_of(seen.text), "reason": "x"})
    assert refused.status_code == 403  # forced through the address: the API's refusal
    cancelled = web.post(address + "/cancel", data={"csrf": csrf_of(page.text),
                                                    "reason": "Paciente desistiu."})
    assert cancelled.status_code == 200 and "Cancelada" in cancelled.text
    assert "Cancelar solicitação" not in cancelled.text
