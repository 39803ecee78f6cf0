"""Identity's words shared by the gateway and the services (API.md "Identity"): provider types,
statuses, sexes, locales, and what a complete provider profile holds."""
from __future__ import annotations

import re
import unicodedata

PROVIDER_TYPES: tuple[str, ...] = ("clinic", "cooperative", "supplier", "hospital",
                                   "laboratory", "dentist")
PERSON_TYPES: tuple[str, ...] = ("organisation", "individual")
INVITED, ACTIVE, DELETED = "invited", "active", "deleted"
PROVIDER_STATUSES: tuple[str, ...] = (INVITED, ACTIVE, DELETED)
"""Of a provider, a site and an account alike."""
SEXES: tuple[str, ...] = ("female", "male")
LOCALES: tuple[str, ...] = ("pt-BR", "en", "it")

ADDRESS_FIELDS: tuple[str, ...] = ("street", "number", "complement", "district", "city",
                                   "state", "postal_code")
REQUIRED_ADDRESS_FIELDS: tuple[str, ...] = ("street", "number", "district", "city", "state",
                                            "postal_code")
PROFILE_FIELDS: tuple[str, ...] = (*(f"address.{name}" for name in REQUIRED_ADDRESS_FIELDS),
                                   "phones")
"""What ``missing_profile`` may name, in this order (API.md ``GET /me``)."""

UFS: tuple[str, ...] = ("AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS",
                        "MG", "PA", "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC",
                        "SP", "SE", "TO")
"""The Brazilian federative units a provider's ``address.state`` may name."""

SEARCH_WORD_MIN = 3
"""Each word of a name search (providers, secretaries) has at least this many characters."""
_NOT_A_LETTER = re.compile(r"[\W_]+")


def search_words(text: str) -> list[str]:
    """The words a name is searched by, ignoring case and accents: "Clínica São-José" →
    ``["clinica", "sao", "jose"]``. The edge checks a query's words with it; identity stores
    names and matches queries with it."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    return _NOT_A_LETTER.sub(" ", plain.lower()).split()

MAX_IMAGE_BYTES = 5 * 1024 * 1024
"""A provider image is at most 5 MiB (API.md "Precise points")."""
