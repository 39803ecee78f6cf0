"""How fast one notifications process drains a backlog of e-mails over real SMTP: queue N
e-mails in a fresh notifications database, start bench/smtp_sink.py, and run the delivery loop's
passes (``deliver_due``, as ``Delivery`` does, with the standard library patched by eventlet as
in the service) until every e-mail is sent; prints e-mails per second and how many SMTP
connections the sink saw. ``--rtt MS``: the sink's answers arrive that much later, as from a
server elsewhere on the network.

Run: ``.venv/bin/python bench/email_drain.py [--emails 300] [--rtt 0] [--postgres URL]``.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

import ponte.green  # noqa: E402,F401  as in `ponte run`: eventlet patches the standard library
from ponte.config import settings  # noqa: E402
from ponte.db import create_engine_for, migrate, utcnow  # noqa: E402
from services.notifications import delivery  # noqa: E402
from services.notifications.domain.email import Email  # noqa: E402
from services.notifications.emails import compose  # noqa: E402
from services.notifications.repository import EmailRepository  # noqa: E402
from services.notifications.transports import transport_for  # noqa: E402
from tests.stack import BIN, free_port, wait_until  # noqa: E402


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def queue_emails(sessions: sessionmaker, count: int) -> None:
    with sessions() as session, session.begin():
        for number in range(count):
            message = compose("citizen_registered",
                              {"email": f"c{number}@ponte.test", "name": f"Cidadã {number}"},
                              public_url="http://ponte.test", occurred_at="2026-12-01T12:00:00Z")
            EmailRepository(session).add(Email.queue(
                message, str(uuid.uuid4()), "identity.citizen_registered", utcnow()))


def drain(count: int, workdir: Path, rtt: float) -> tuple[float, int, int]:
    """Seconds for one pass over ``count`` queued e-mails, files the sink wrote, connections
    that delivered them."""
    port, folder = free_port(), workdir / "sink"
    sink = subprocess.Popen([str(BIN / "python"), str(ROOT / "bench" / "smtp_sink.py"),
                             str(port), str(folder), str(rtt)])
    engine = create_engine_for("notifications")
    try:
        wait_until(lambda: _port_open(port), 20, what="the SMTP sink")
        migrate("notifications", engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        queue_emails(sessions, count)
        transport = transport_for(f"smtp://127.0.0.1:{port}", settings().data_dir)
        started = time.perf_counter()
        while delivery.deliver_due(sessions, transport, settings().mail_from):
            pass
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            failures = conn.execute(sa.text(
                "SELECT error FROM email_attempts WHERE outcome = 'failed'")).scalars().all()
        if failures:  # they wait for their retry: the figure counts them as not sent
            print(f"{len(failures)} attempts failed, e.g. {failures[0]}", file=sys.stderr)
    finally:
        engine.dispose()
        sink.terminate()
        sink.wait()
    files = list(folder.glob("*.eml"))
    return seconds, len(files), len({path.name.split("-")[1] for path in files})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--rtt", type=float, default=0.0, metavar="MS",
                        help="the SMTP server's answers arrive this much later")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server, e.g. "
                        "postgresql+psycopg2://postgres@127.0.0.1:5432 (default: SQLite)")
    args = parser.parse_args()
    database = f"bench_email_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PONTE_DATA_DIR"] = directory
        os.environ.pop("PONTE_DB_URL", None)
        if args.postgres:
            os.environ["PONTE_DB_URL"] = f"{args.postgres}/{database}_{{service}}"
        try:
            seconds, files, connections = drain(args.emails, Path(directory), args.rtt)
        finally:
            if args.postgres:
                drop_database(args.postgres, f"{database}_notifications")
    print(f"round trip +{args.rtt:g} ms: {files} of {args.emails} e-mails in {seconds:.2f} s: "
          f"{files / seconds:.1f} e-mails/s over {connections} SMTP connections")


def drop_database(server: str, name: str) -> None:
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
