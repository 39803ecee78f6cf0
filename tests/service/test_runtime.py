"""``ponte.runtime.Runtime.wait``: a process whose service container dies exits with status 1,
so its supervisor (Kubernetes, systemd, docker compose) starts a new one, instead of living on
as a healthy-looking process that consumes nothing."""
from __future__ import annotations

import gc
import os
import signal

import eventlet
import pytest
from nameko.extensions import DependencyProvider

from ponte import runtime
from ponte.config import settings


class _DiesSoon(DependencyProvider):
    """Fails a managed thread of its container shortly after start, as a worker whose
    acknowledgement raised used to."""

    def start(self) -> None:
        def fail() -> None:
            eventlet.sleep(0.2)
            raise BrokenPipeError(32, "Broken pipe")
        self.container.spawn_managed_thread(fail)


class _Doomed:
    name = "doomed"
    dies = _DiesSoon()


class _Healthy:
    name = "healthy"


@pytest.fixture
def components(monkeypatch, tmp_path):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AMQP_URI", "memory://")
    settings.cache_clear()
    monkeypatch.setattr(runtime, "COMPONENTS", ("doomed", "healthy"))
    monkeypatch.setattr(runtime, "service_classes",
                        lambda: {"doomed": _Doomed, "healthy": _Healthy})
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in handlers.items():  # Runtime.wait installs its own
        signal.signal(signum, handler)
    settings.cache_clear()


def test_a_dead_container_ends_the_process_with_status_1(components):
    running = runtime.Runtime(["doomed", "healthy"])
    running.start()
    with eventlet.Timeout(10), pytest.raises(SystemExit) as exited:
        running.wait()
    assert exited.value.code == 1
    assert not running.ready
    assert running.runner is None  # the healthy peer was stopped too


def test_a_signal_still_stops_the_process_cleanly(components):
    running = runtime.Runtime(["healthy"])
    running.start()
    eventlet.spawn_after(0.2, os.kill, os.getpid(), signal.SIGTERM)
    with eventlet.Timeout(10):
        running.wait()  # returns: no SystemExit
    assert running.runner is None


def test_what_lives_once_started_leaves_the_garbage_collectors_generations(components):
    """A full collection then looks only at what came after the start (issue 21: 80–150 ms
    pauses of a whole process under load)."""
    gc.unfreeze()
    running = runtime.Runtime(["healthy"])
    try:
        running.start()
        assert gc.get_freeze_count() > 10_000
        assert running.ready
    finally:
        running.stop()
        gc.unfreeze()
