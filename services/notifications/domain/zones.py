"""A time zone named as readers name it: "horário de Brasília", "Brasília time", never
``America/Sao_Paulo``. Brazil's zones are known by the city people set their clocks by; any
other zone by the city of its identifier ("Europe/Rome" → "Rome"), and UTC as UTC."""
from __future__ import annotations

BRASILIA = "Brasília"
CITIES = {
    # every zone of Brazil at UTC-3 keeps Brasília's time ("horário de Brasília")
    **{zone: BRASILIA for zone in (
        "America/Sao_Paulo", "America/Bahia", "America/Fortaleza", "America/Recife",
        "America/Belem", "America/Maceio", "America/Araguaina", "America/Santarem",
        "Brazil/East")},
    "America/Manaus": "Manaus", "America/Cuiaba": "Cuiabá", "America/Campo_Grande":
        "Campo Grande", "America/Porto_Velho": "Porto Velho", "America/Boa_Vista": "Boa Vista",
    "America/Rio_Branco": "Rio Branco", "America/Noronha": "Fernando de Noronha",
}
UNIVERSAL = ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Zulu", "Etc/Zulu", "GMT",
             "Etc/GMT")


def city_of(time_zone: str) -> str | None:
    """The place a zone's time is named after; None for UTC."""
    if time_zone in UNIVERSAL:
        return None
    return CITIES.get(time_zone) or time_zone.rpartition("/")[2].replace("_", " ")


def zone_name(time_zone: str, pattern: str) -> str:
    """The zone in a reader's words: ``pattern`` is the language's ``"horário de {city}"``."""
    city = city_of(time_zone)
    return pattern.format(city=city) if city else "UTC"
