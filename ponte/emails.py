"""One spelling per e-mail address (API.md "Precise points": unique regardless of letter case).

Unicode lets one address be typed many ways: U+212A KELVIN SIGN looks like ``K`` and
lower-cases to ``k``, fullwidth ``Ｃ`` looks like ``C``. An address is therefore normalised
with NFKC before anything else. Its local part must then be ASCII: Ponte does not send with
SMTPUTF8, so an address it cannot write in a ``To:`` header is refused rather than mangled into
an encoded word. The domain is kept in its IDNA (punycode) form. Letter case is kept as typed
for display; comparison uses the case-folded normalised form (:func:`email_key`).
"""
from __future__ import annotations

import unicodedata

MAX_LENGTH = 254
NOT_ASCII = ("The part before @ must use plain letters, digits and punctuation (no accents or "
             "other alphabets).")
INVALID = "Not a valid email address."


def normalise_email(value: object) -> str:
    """The address in the one form Ponte stores and sends to; ``ValueError`` with the reason
    when it cannot be one."""
    if not isinstance(value, str):
        raise ValueError(INVALID)
    text = unicodedata.normalize("NFKC", value).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in text):
        raise ValueError(INVALID)
    if not local.isascii() or not local.isprintable():
        raise ValueError(NOT_ASCII)
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(INVALID) from None
    if "." not in domain or domain.startswith(".") or ".." in domain:
        raise ValueError(INVALID)
    address = f"{local}@{domain}"
    if len(address) > MAX_LENGTH:
        raise ValueError(INVALID)
    return address


def email_key(value: str) -> str:
    """What two spellings of one address have in common (case-insensitive)."""
    try:
        return normalise_email(value).casefold()
    except ValueError:
        return unicodedata.normalize("NFKC", value).strip().casefold()


def mask_email(address: str) -> str:
    """``pr***@example.org``: enough to recognise one's own address, too little to harvest."""
    local, _, domain = address.rpartition("@")
    return f"{local[:2] if len(local) > 2 else local[:1]}***@{domain}"
