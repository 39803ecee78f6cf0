"""Input the edge makes safe: one spelling per e-mail address, upload file names that cannot
disguise themselves, and service refusals logged as one INFO line."""
from __future__ import annotations

import email.policy
import io
import logging
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from nameko.containers import ServiceContainer
from nameko.testing.services import dummy, entrypoint_hook

from gateway.identity.schemas import PasswordResetRequestIn, SecretaryIn
from gateway.uploads import safe_filename
from ponte import logs
from ponte.emails import email_key, mask_email, normalise_email
from ponte.errors import Conflict, NotFound, ServiceUnavailable


@pytest.mark.parametrize("typed, stored", [
    ("\u212aelvin@example.org", "Kelvin@example.org"),          # KELVIN SIGN
    ("\uff23itizen@ponte.test", "Citizen@ponte.test"),          # fullwidth C
    ("  ana@PONTE.test ", "ana@PONTE.test"),  # case is kept; email_key folds it
    ("user@ex\u00e4mple.test", "user@xn--exmple-cua.test"),     # IDNA domain
    ("user@EX\u00c4MPLE.test", "user@xn--exmple-cua.test"),
])
def test_an_address_has_one_spelling(typed, stored):
    assert normalise_email(typed) == stored
    assert email_key(typed) == stored.casefold()


@pytest.mark.parametrize("typed", ["jo\u00e3o@example.org", "\u0430dmin@example.org", "a b@x.test",
                                   "no-at-sign", "x@y", "x@", "@x.test", 5, None,
                                   "x@" + "a" * 64 + ".test"])
def test_addresses_that_cannot_be_written_plainly_are_refused(typed):
    with pytest.raises(ValueError):
        normalise_email(typed)


def test_the_edge_stores_lookalikes_as_the_same_address():
    lookalike = SecretaryIn().load({"email": "\u212aelvin@example.org",
                                    "email_confirmation": "kelvin@example.org"},
                                   partial=True)
    assert lookalike["email"] == "Kelvin@example.org"
    assert PasswordResetRequestIn().load({"email": "\uff23itizen@ponte.test"}) == {
        "email": "Citizen@ponte.test"}


def test_a_normalised_address_makes_a_plain_to_header():
    message = EmailMessage(policy=email.policy.SMTP)
    message["To"] = normalise_email("user@ex\u00e4mple.test")
    message.set_content("x")
    header = message.as_bytes().split(b"\r\n\r\n")[0]
    assert b"To: user@xn--exmple-cua.test" in header and b"=?" not in header


@pytest.mark.parametrize("address, masked", [
    ("priscila@example.org", "pr***@example.org"), ("ab@x.test", "a***@x.test"),
    ("a@x.test", "a***@x.test")])
def test_a_masked_email_shows_at_most_two_leading_letters(address, masked):
    assert mask_email(address) == masked


@pytest.mark.parametrize("sent, kept", [
    ("\u202egpj.exe", "gpj.exe"),
    ("raio-x\u200f.pdf", "raio-x.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ana\\laudo.pdf", "laudo.pdf"),
    ("a\x00b\r\nc.pdf", "abc.pdf"),
    ("raio-x panora\u0302mico.pdf", "raio-x panor\u00e2mico.pdf"),
    ("\u202e", ""), ("..", ""), ("dir/", ""),
    ("x" * 300 + ".pdf", "x" * 255),
])
def test_upload_names_lose_path_parts_and_disguising_characters(sent, kept):
    assert safe_filename(sent) == kept


class _Service:
    name = "svc"

    @dummy
    def refuse(self, exc):
        raise exc


@pytest.mark.parametrize("error, level, traceback", [
    (Conflict("Already taken."), "INFO", False),
    (NotFound("No such thing."), "INFO", False),
    (ServiceUnavailable("Database away."), "WARNING", True),
    # not expected: nameko logs an ERROR with its traceback, once per request during an outage
    (sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused\nIs it running?")),
     "WARNING", False),
    (RuntimeError("a real bug"), "ERROR", True),
])
def test_each_failure_is_one_log_line_at_the_level_its_kind_deserves(error, level, traceback):
    stream = io.StringIO()
    logs.configure("INFO", "test")
    root = logging.getLogger()
    handler = root.handlers[0]
    handler.setStream(stream)
    container = ServiceContainer(_Service)
    container.start()
    try:
        entrypoint = next(iter(container.entrypoints))
        entrypoint.expected_exceptions = (Conflict, NotFound, ServiceUnavailable)
        with pytest.raises(type(error)), entrypoint_hook(container, "refuse") as refuse:
            refuse(error)
    finally:
        container.stop()
    lines = [line for line in stream.getvalue().splitlines() if "refuse" in line
             or "expected" in line]
    assert len(lines) == 1, stream.getvalue()
    assert f'"level": "{level}"' in lines[0]
    assert ("Traceback" in lines[0]) is traceback
    if isinstance(error, sa.exc.OperationalError):
        assert "svc.refuse: the database is away (Exception: connection refused)" in lines[0]
