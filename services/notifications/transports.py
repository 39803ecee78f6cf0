"""Where e-mails are handed over: the SMTP server named by ``PONTE_SMTP_URL``, or without one,
``.eml`` files in ``{data_dir}/outbox/`` (API.md, "Running it").

A delivery pass hands its e-mails over through one :meth:`Transport.connect`: for SMTP, one
connection for the whole batch instead of one conversation (connect, greeting, EHLO, login,
QUIT) per e-mail."""
from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from services.notifications.domain.email import Email

SMTP_TIMEOUT_SECONDS = 20.0


class Connection(Protocol):
    def send(self, email: Email, message: EmailMessage) -> None:
        """Hand the message over, or raise."""


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Connection]:
        """A connection for one delivery pass: its e-mails are sent over it one after another,
        and a failure of one is that e-mail's alone (the next one still goes)."""


@dataclass(frozen=True)
class OutboxFolder:
    """One ``.eml`` file per e-mail, named by creation time and id so a listing sorts by time.
    Written to a temporary name and renamed, so a reader never sees half a file; sending the
    same e-mail again replaces its file instead of adding a copy."""

    path: Path

    def send(self, email: Email, message: EmailMessage) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{email.created_at:%Y%m%dT%H%M%S%fZ}-{email.id}.eml"
        partial = self.path / f".{name}.partial"
        # the files hold one-time link tokens: readable by the service's user only
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            file.write(message.as_bytes())
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self.path / name)

    def connect(self) -> AbstractContextManager[OutboxFolder]:
        return nullcontext(self)

    def __str__(self) -> str:
        return f"outbox {self.path}"


@dataclass(frozen=True)
class SmtpServer:
    """``smtp://host:port`` in plain text, ``smtps://user:pass@host:port`` over TLS with login
    (credentials are optional with either scheme)."""

    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = SMTP_TIMEOUT_SECONDS

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("PONTE_SMTP_URL must look like smtp://host:port or "
                             "smtps://user:pass@host:port")
        tls = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25), tls=tls,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)

    @contextmanager
    def connect(self) -> Iterator[SmtpConnection]:
        connection = SmtpConnection(self)
        try:
            yield connection
        finally:
            connection.close()

    def open(self) -> smtplib.SMTP:
        """A new conversation, greeted and logged in."""
        if self.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def __str__(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"


class SmtpConnection:
    """The messages of one delivery pass over one SMTP connection, opened for the first message
    and opened anew after any failure: whatever went wrong (a refusal, a timeout, the server
    hanging up), the next message does not depend on the state the last one left behind."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._client: smtplib.SMTP | None = None

    def send(self, email: Email, message: EmailMessage) -> None:
        if self._client is None:
            self._client = self.server.open()
        try:
            self._client.send_message(message)
        except BaseException:
            self._client.close()  # no QUIT: the server may be gone, or slow to answer
            self._client = None
            raise

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def transport_for(smtp_url: str | None, data_dir: Path) -> Transport:
    return SmtpServer.from_url(smtp_url) if smtp_url else OutboxFolder(data_dir / "outbox")
