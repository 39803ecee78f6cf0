"""An SMTP server that accepts everything and writes each message as ``<n>.eml`` into a folder —
the same folder the tests' Mailbox reads — so e-mails really travel over SMTP in the fault
scenario. Run: ``python bench/smtp_sink.py <port> <folder>`` (stops on SIGTERM)."""
from __future__ import annotations

import signal
import sys
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class Folder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        name = self.folder / f"smtp-{uuid.uuid4().hex}.eml"
        partial = name.with_suffix(".part")
        content = envelope.original_content or envelope.content
        partial.write_bytes(content.replace(b"\r\n", b"\n"))  # as a file on disk has it
        partial.rename(name)  # readers never see half a message
        return "250 Message accepted for delivery"


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    controller = Controller(Folder(folder), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
