"""A service's form and the validation of a citizen's answers (002), as tables: each field type
with valid and invalid values, required flags, unknown fields, and form definitions."""
from __future__ import annotations

import pytest

from ponte.documents import cpf_check_digits
from ponte.errors import InvalidInput
from services.attendance.domain.forms import FormField, define_form, validate_answers

CPF = "529982247" + cpf_check_digits("529982247")


def field(type_: str, required: bool = True, choices: tuple[str, ...] = ()) -> FormField:
    return FormField("f", "F", type_, required, choices)


@pytest.mark.parametrize("type_, given, stored", [
    ("text", "  Rua das Flores, 10 ", "Rua das Flores, 10"),
    ("number", 42, 42),
    ("number", 2.5, 2.5),
    ("number", "3", 3),
    ("number", "1,5", 1.5),
    ("date", "2026-02-28", "2026-02-28"),
    ("cpf", CPF, CPF),
    ("cpf", f"{CPF[:3]}.{CPF[3:6]}.{CPF[6:9]}-{CPF[9:]}", CPF),
    ("email", "cida@example.org", "cida@example.org"),
    ("email", "x@servidor.test", "x@servidor.test"),
])
def test_valid_answers_are_stored_normalised(type_, given, stored):
    assert validate_answers([field(type_)], {"f": given}) == {"f": stored}


def test_a_choice_is_one_of_its_field_choices():
    assert validate_answers([field("choice", choices=("RG", "CNH"))], {"f": "CNH"}) == {"f": "CNH"}


@pytest.mark.parametrize("type_, given", [
    ("text", 12), ("text", ["a"]), ("text", "x" * 5001),
    ("number", "muitos"), ("number", True), ("number", "NaN"), ("number", {"n": 1}),
    ("number", "1e5000"), ("number", 10**16), ("number", -1e300),
    ("date", "2026-02-30"), ("date", "30/01/2026"), ("date", 20260130),
    ("cpf", "123.456.789-00"), ("cpf", "11111111111"), ("cpf", CPF[:-1]), ("cpf", 52998224725),
    ("email", "cida"), ("email", "cida@"), ("email", "ci da@example.org"), ("email", 5),
    ("email", "a@" + "b" * 100_000),
    ("choice", "Passaporte"), ("choice", "rg"),
])
def test_invalid_answers_name_the_field(type_, given):
    with pytest.raises(InvalidInput) as error:
        validate_answers([field(type_, choices=("RG", "CNH"))], {"f": given})
    assert list(error.value.errors) == ["answers.f"]


@pytest.mark.parametrize("given", [{}, {"f": None}, {"f": ""}, {"f": "   "}])
def test_a_required_field_needs_a_value(given):
    with pytest.raises(InvalidInput) as error:
        validate_answers([field("text")], given)
    assert error.value.errors == {"answers.f": ["Required."]}


@pytest.mark.parametrize("given", [{}, {"f": None}, {"f": ""}])
def test_an_optional_field_may_be_left_out(given):
    assert validate_answers([field("number", required=False)], given) == {}


def test_answers_to_fields_the_form_lacks_are_refused_with_every_other_error():
    form = [FormField("cpf", "CPF", "cpf", True), FormField("kind", "Tipo", "choice", True,
                                                            ("RG",))]
    with pytest.raises(InvalidInput) as error:
        validate_answers(form, {"cpf": "000", "other": 1})
    assert set(error.value.errors) == {"answers.cpf", "answers.kind", "answers.other"}


@pytest.mark.parametrize("fields, path", [
    ([{"name": "a", "label": "A", "type": "text"}, {"name": "a", "label": "B", "type": "date"}],
     "form_fields.1.name"),
    ([{"name": "a", "label": "A", "type": "choice"}], "form_fields.0.choices"),
    ([{"name": "a", "label": "A", "type": "text", "choices": ["x"]}], "form_fields.0.choices"),
])
def test_a_form_has_unique_names_and_choices_only_on_choice_fields(fields, path):
    with pytest.raises(InvalidInput) as error:
        define_form(fields)
    assert path in error.value.errors


def test_a_form_round_trips_as_stored():
    form = define_form([{"name": "kind", "label": "Tipo", "type": "choice", "required": True,
                         "choices": ["RG", "CNH"]},
                        {"name": "note", "label": "Nota", "type": "text"}])
    assert [FormField.from_dict(f.as_dict()) for f in form] == list(form)
    assert form[1].as_dict() == {"name": "note", "label": "Nota", "type": "text",
                                 "required": False, "choices": None}
