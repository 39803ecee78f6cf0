"""CPF and CNPJ: normalisation and check digits, classic and alphanumeric CNPJ (SPEC "Identity")."""
from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from ponte import documents
from ponte.documents import CNPJField, CPFField, DocumentField


@pytest.mark.parametrize("raw, expected", [
    ("529.982.247-25", "52998224725"),
    ("52998224725", "52998224725"),
    ("111.444.777-35", "11144477735"),
    (" 935.411.347-80 ", "93541134780"),
    ("935411347-80", "93541134780"),
])
def test_valid_cpf_is_normalised(raw, expected):
    assert documents.normalise_cpf(raw) == expected
    assert documents.is_cpf(raw)
    assert documents.normalise_document(raw) == (expected, "individual")


@pytest.mark.parametrize("raw, message", [
    ("529.982.247-24", "check digits"),
    ("52998224735", "check digits"),
    ("111.111.111-11", "Not a valid"),
    ("000.000.000-00", "Not a valid"),
    ("5299822472", "11 digits"),
    ("529982247250", "11 digits"),
    ("529.982.247-2X", "11 digits"),
    ("529 982 247 25", "11 digits"),
    ("", "11 digits"),
    (52998224725, "string"),
    (None, "string"),
])
def test_invalid_cpf_is_refused_with_a_reason(raw, message):
    with pytest.raises(ValueError, match=message):
        documents.normalise_cpf(raw)
    assert not documents.is_cpf(raw)


@pytest.mark.parametrize("raw, expected", [
    ("12.ABC.345/01DE-35", "12ABC34501DE35"),  # the official alphanumeric example
    ("12abc34501de35", "12ABC34501DE35"),
    ("11.222.333/0001-81", "11222333000181"),
    ("11222333000181", "11222333000181"),
    ("04.548.886/0001-63", "04548886000163"),
    ("A1.B2C.3D4/E5F6-68", "A1B2C3D4E5F668"),
    ("ZZ.ZZZ.ZZZ/0001-91", "ZZZZZZZZ000191"),
])
def test_valid_cnpj_is_normalised(raw, expected):
    assert documents.normalise_cnpj(raw) == expected
    assert documents.is_cnpj(raw)
    assert documents.normalise_document(raw) == (expected, "organisation")


@pytest.mark.parametrize("raw, message", [
    ("12.ABC.345/01DE-36", "check digits"),
    ("11.222.333/0001-82", "check digits"),
    ("11.222.333/0001-18", "check digits"),
    ("00.000.000/0000-00", "Not a valid"),
    ("11.111.111/1111-11", "Not a valid"),
    ("12.ABC.345/01DE-3A", "12 letters or digits"),
    ("12.AB?.345/01DE-35", "12 letters or digits"),
    ("1122233300018", "12 letters or digits"),
    ("112223330001810", "12 letters or digits"),
])
def test_invalid_cnpj_is_refused_with_a_reason(raw, message):
    with pytest.raises(ValueError, match=message):
        documents.normalise_cnpj(raw)
    assert not documents.is_cnpj(raw)


@pytest.mark.parametrize("raw", ["123", "1234567890123", "529.982.247-2", "abc", ""])
def test_a_document_of_neither_length_is_refused(raw):
    with pytest.raises(ValueError, match="CPF .* or a CNPJ"):
        documents.normalise_document(raw)


@pytest.mark.parametrize("first, digits", [
    ("529982247", "25"), ("111444777", "35"),
])
def test_cpf_check_digits_follow_from_the_first_nine(first, digits):
    assert documents.cpf_check_digits(first) == digits


@pytest.mark.parametrize("first, digits", [
    ("12ABC34501DE", "35"), ("112223330001", "81"), ("045488860001", "63"),
])
def test_cnpj_check_digits_follow_from_the_first_twelve(first, digits):
    assert documents.cnpj_check_digits(first) == digits


class _Holder(Schema):
    cpf = CPFField()
    cnpj = CNPJField()
    document = DocumentField()


def test_fields_normalise_on_load():
    loaded = _Holder().load({"cpf": "529.982.247-25", "cnpj": "12.abc.345/01de-35",
                             "document": "11.222.333/0001-81"})
    assert loaded == {"cpf": "52998224725", "cnpj": "12ABC34501DE35",
                      "document": "11222333000181"}


@pytest.mark.parametrize("data, field", [
    ({"cpf": "529.982.247-24"}, "cpf"),
    ({"cnpj": "11.222.333/0001-82"}, "cnpj"),
    ({"document": "12345"}, "document"),
    ({"document": 12345}, "document"),
])
def test_fields_report_a_field_error(data, field):
    with pytest.raises(ValidationError) as caught:
        _Holder().load(data)
    assert list(caught.value.messages) == [field]
