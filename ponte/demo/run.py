"""``ponte demo``: the all-in-one system (``ponte up``) with the demo's people and work in it.

The system runs as a child process; the story is told to it through the public HTTP API. Last
week's part of the story needs the child started with its clock set back, so on a first start
the child is started twice. What was seeded is kept in ``{data_dir}/demo/``: a restart skips
to the running system.
"""
from __future__ import annotations

import os
import signal
import subprocess  # nosec B404 # starts this same program, `ponte up`
import sys
import time
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from ponte.config import Settings, settings
from ponte.demo.accounts import ADMIN, Passwords, table
from ponte.demo.http import Api, ApiError, Outbox
from ponte.demo.ledger import Ledger
from ponte.demo.story import PHASES, tell
from ponte.demo.world import World

READY_TIMEOUT = 180.0


class System:
    """One ``ponte up`` child, its clock ``days_ago`` days behind, logging to ``log``."""

    def __init__(self, env: dict[str, str], days_ago: int, log: IO[bytes]) -> None:
        self.days_ago = days_ago
        self.process = subprocess.Popen(  # nosec B603 # a fixed command: this Python, ponte up
            [sys.executable, "-m", "ponte.cli", "up"], stdout=log, stderr=subprocess.STDOUT,
            env={**env, "PONTE_CLOCK_OFFSET_DAYS": str(-days_ago)}, start_new_session=True)

    def wait_ready(self, api: Api) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not api.ready():
            if self.process.poll() is not None:
                raise ApiError(f"ponte up exited with status {self.process.returncode}")
            if time.monotonic() > deadline:
                raise ApiError(f"ponte up was not ready within {READY_TIMEOUT:.0f}s")
            time.sleep(0.3)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def main() -> int:
    config = settings()
    if holds_another_system(config.data_dir):
        print(f"ponte demo: {config.data_dir} already holds a system that is not a demo; the "
              f"demo does not mix sample people into it. Choose another directory, e.g. "
              f"PONTE_DATA_DIR=var-demo make demo", file=sys.stderr)
        return 2
    folder = config.data_dir / "demo"
    passwords = Passwords(folder)
    passwords.ensure()
    api = Api(_local_url(config))
    world = World(api, Outbox(config.data_dir / "outbox"), passwords, Ledger(folder),
                  ZoneInfo(config.timezone))
    # unset, the public URL follows the listen address, so that the printed URL opens
    public_url = config.public_url if os.environ.get("PONTE_PUBLIC_URL") else api.base_url
    env = {**os.environ, "PONTE_ADMIN_EMAIL": ADMIN.login,
           "PONTE_ADMIN_PASSWORD": passwords[ADMIN], "PONTE_PUBLIC_URL": public_url}
    env.pop("PONTE_SMTP_URL", None)  # the password and registration links are read from the outbox
    log_path = folder / "ponte.log"
    with open(log_path, "ab") as log:
        child = Child(env, log, api)
        try:
            seed(world, child)
            system = child.at(days_ago=0)
        except (ApiError, OSError, RuntimeError) as error:
            print(f"ponte demo: {error}\nsee {log_path}", file=sys.stderr, flush=True)
            child.stop()
            return 1
        except BaseException:
            child.stop()
            raise
        _announce(public_url, passwords, folder, log_path)
        return _serve(system)


def seed(world: World, child: Child) -> None:
    """Each part of the story not told yet, against a system at that part's day."""
    for phase in PHASES:
        if f"phase:{phase.name}" in world.ledger:
            continue
        child.at(phase.days_ago)
        print(f"seeding {phase.name}…", flush=True)
        world.days_ago = phase.days_ago
        world.api.tokens.clear()  # tokens of a shifted clock mean nothing to another one
        tell(world, phase)


class Child:
    """The one ``ponte up`` child at a time."""

    def __init__(self, env: dict[str, str], log: IO[bytes], api: Api) -> None:
        self.env, self.log, self.api = env, log, api
        self.system: System | None = None

    def at(self, days_ago: int) -> System:
        """A ready system whose clock is ``days_ago`` days behind (the running one if it is)."""
        if self.system is not None and self.system.days_ago == days_ago:
            return self.system
        self.stop()
        if self.api.ready():
            raise ApiError(f"another Ponte already answers at {self.api.base_url}; stop it or "
                           f"choose another PONTE_HTTP_ADDRESS")
        self.system = System(self.env, days_ago, self.log)
        self.system.wait_ready(self.api)
        return self.system

    def stop(self) -> None:
        if self.system is not None:
            self.system.stop()
            self.system = None


def holds_another_system(data_dir: Path) -> bool:
    """True when ``data_dir`` was used by ``ponte up`` (databases, e-mails or files) but never
    by the demo, whose own folder ``demo/`` is made before anything starts."""
    if (data_dir / "demo").exists():
        return False
    return any(data_dir.glob("*.db")) or any(
        (data_dir / name).exists() for name in ("outbox", "objects"))


def _announce(public_url: str, passwords: Passwords, folder: Path, log_path: Path) -> None:
    print(f"\nPonte demo is ready: {public_url}\n\nSign in as:\n\n"
          f"{table(passwords.rows())}\n\n"
          f"The same accounts are in {folder / 'accounts.json'}; the system's log is "
          f"{log_path}.\nStop with Ctrl-C; `make demo` again on the same data directory "
          f"starts it as it was left.", flush=True)


def _serve(system: System) -> int:
    """Until the child ends, or until SIGINT/SIGTERM, which stop it."""
    def stop(*_args: object) -> None:
        if system.process.poll() is None:
            system.process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = system.process.wait()
    return 0 if status in (0, -signal.SIGTERM) else status


def _local_url(config: Settings) -> str:
    """Where this process reaches the gateway (a wildcard listen address is reached locally)."""
    host, port = config.http_host_port
    if host in ("", "0.0.0.0", "::", "[::]"):  # nosec B104 # reaching it, not binding
        host = "127.0.0.1"
    return f"http://{host}:{port}"
