"""An SMTP server that accepts everything and writes each message as an ``.eml`` file into a
folder — the same folder the tests' Mailbox reads — so e-mails really travel over SMTP in the
fault scenario. Each file is named ``smtp-<connection>-<random>.eml``, the connection being
numbered from 1 in the order they delivered their first message (bench/email_drain.py counts
them). With a round trip in milliseconds, every answer of the server (the greeting included)
reaches the client that much later, as from a server elsewhere on the network.

Run: ``python bench/smtp_sink.py <port> <folder> [<round trip ms>]`` (stops on SIGTERM)."""
from __future__ import annotations

import asyncio
import itertools
import signal
import socket
import sys
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class Folder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.connections = itertools.count(1)
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        if not hasattr(session, "ponte_connection"):  # one session per connection
            session.ponte_connection = next(self.connections)
        name = self.folder / f"smtp-{session.ponte_connection}-{uuid.uuid4().hex}.eml"
        partial = name.with_suffix(".part")
        content = envelope.original_content or envelope.content
        partial.write_bytes(content.replace(b"\r\n", b"\n"))  # as a file on disk has it
        partial.rename(name)  # readers never see half a message
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def delay_answers(port: int, server_port: int, delay: float) -> None:
    """Listen on ``port`` and relay to the server on ``server_port``, holding each of its
    answers for ``delay`` seconds; in a daemon thread."""
    ready = threading.Event()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   hold: float) -> None:
        while chunk := await reader.read(65536):
            await asyncio.sleep(hold)
            writer.write(chunk)
            await writer.drain()
        writer.close()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", server_port)
        await asyncio.gather(pipe(reader, server_writer, 0.0),
                             pipe(server_reader, writer, delay), return_exceptions=True)

    async def serve() -> None:
        server = await asyncio.start_server(relay, "127.0.0.1", port)
        ready.set()
        await server.serve_forever()

    threading.Thread(target=asyncio.run, args=(serve(),), daemon=True).start()
    ready.wait(10)


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    delay = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0
    server_port = _free_port() if delay else port
    controller = Controller(Folder(folder), hostname="127.0.0.1", port=server_port)
    controller.start()
    if delay:
        delay_answers(port, server_port, delay)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
