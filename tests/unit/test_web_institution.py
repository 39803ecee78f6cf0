"""The institution's screens without a server: the service editor's rows (named from their
labels, added, moved and removed by the form's buttons, errors renumbered as the form shows
them), a meeting's local time as UTC, and notifications linked to their screens."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from gateway.web.catalogue import edit, errors_for, from_form, machine_name, to_body
from gateway.web.client import Answer
from gateway.web.desk import starts_at
from gateway.web.inbox import screen_for


def form(**extra: str) -> MultiDict:
    return MultiDict({"name": "Alvará", "description": "", "audience": "",
                      "requirements": "RG\n\n Comprovante \n", "due_business_days": "5",
                      "form_fields.0.name": "", "form_fields.0.label": "Data de nascimento",
                      "form_fields.0.type": "date", "form_fields.0.choices": "x",
                      "form_fields.1.name": "", "form_fields.1.label": "",
                      "form_fields.1.type": "text",
                      "form_fields.2.name": "", "form_fields.2.label": "Tipo",
                      "form_fields.2.type": "choice", "form_fields.2.required": "on",
                      "form_fields.2.choices": "RG\nCNH",
                      "steps.0.id": "s-1", "steps.0.title": "Conferir", "steps.1.id": "",
                      "steps.1.title": " ", **extra})


def test_the_body_names_fields_from_their_labels_and_leaves_blank_rows_out():
    body = to_body(from_form(form()))
    assert body["requirements"] == ["RG", "Comprovante"]
    assert body["due_business_days"] == 5
    assert body["form_fields"] == [
        {"name": "data_de_nascimento", "label": "Data de nascimento", "type": "date",
         "required": False},
        {"name": "tipo", "label": "Tipo", "type": "choice", "required": True,
         "choices": ["RG", "CNH"]}]
    assert body["steps"] == [{"id": "s-1", "title": "Conferir"}]


def test_a_machine_name_is_unique_and_starts_like_a_name():
    assert machine_name("Nº do protocolo", set()) == "no_do_protocolo"
    assert machine_name("2ª via", set()) == "f_2a_via"
    assert machine_name("CPF", {"cpf"}) == "cpf_2"
    assert machine_name("!!!", set()) == "campo"


def test_the_form_buttons_add_move_and_remove_rows():
    service = from_form(form())
    edit(service, "up_field:2")
    assert [f["label"] for f in service["form_fields"]] == ["Data de nascimento", "Tipo", ""]
    edit(service, "remove_field:2")
    edit(service, "add_step")
    assert len(service["form_fields"]) == 2 and len(service["steps"]) == 3
    edit(service, "up_field:0")
    edit(service, "remove_step:9")
    edit(service, "drop_tables")
    assert [f["label"] for f in service["form_fields"]] == ["Data de nascimento", "Tipo"]


def test_errors_of_rows_go_to_the_rows_the_form_shows():
    service = from_form(form())
    answer = Answer(422, {"errors": {"form_fields.1.choices": ["Needs choices."],
                                     "form_fields.0.name": ["Taken."],
                                     "steps.0.title": ["Blank."], "name": ["Blank."]}})
    assert errors_for(answer, service) == {"form_fields.2.choices": ["Needs choices."],
                                           "form_fields.0.label": ["Taken."],
                                           "steps.0.title": ["Blank."], "name": ["Blank."]}


def test_a_meeting_typed_in_local_time_is_sent_in_utc():
    assert starts_at("2026-12-08", "10:00") == "2026-12-08T13:00:00Z"
    assert starts_at("2026-02-30", "10:00") is None
    assert starts_at("amanhã", "10h") is None


def test_notifications_about_the_institution_link_to_its_screens():
    assert screen_for("/api/v1/institutions/i-1/attendant-requests") == \
        "/institution/i-1/attendants"
    assert screen_for("/api/v1/institutions/i-1/ratings") == "/institution/i-1/ratings"
