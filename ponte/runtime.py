"""Starting Ponte: every component in one process (``ponte up``) or one component per process
(``ponte run <name>``), configured only by environment variables."""
from __future__ import annotations

import functools
import gc
import importlib
import logging
import signal
from collections.abc import Iterable

import eventlet
from nameko import config as nameko_config
from nameko.runners import ServiceRunner

import ponte.broker  # noqa: F401  registers the fixed in-process transport
from ponte import logs
from ponte.config import SERVICES, Settings, settings

log = logging.getLogger(__name__)
COMPONENTS = (*SERVICES, "gateway")


@functools.cache
def service_classes() -> dict[str, type]:
    """Component name → nameko service class (``services/<name>/service.py``, ``gateway``)."""
    classes = {}
    for name in COMPONENTS:
        module = importlib.import_module(
            "gateway.service" if name == "gateway" else f"services.{name}.service")
        classes[name] = next(obj for obj in vars(module).values()
                             if isinstance(obj, type) and getattr(obj, "name", None) == name)
    return classes


def nameko_settings(config: Settings) -> dict:
    return {
        "AMQP_URI": config.amqp_uri,
        "WEB_SERVER_ADDRESS": config.http_address,
        "serializer": "json",
        "max_workers": 200,
        "PREFETCH_COUNT": 50,
        "HEARTBEAT": 30,
        "parent_calls_tracked": 5,
    }


def freeze_what_lives() -> None:
    """What is alive once the components have started (modules, tables, compiled statements,
    catalogues) lives as long as the process: it leaves the cyclic garbage collector's
    generations (``gc.freeze``), so a full collection looks only at what came after. Issue 21:
    under load a full collection paused the gateway, authorizations and notifications for
    80–150 ms (every request in the process waiting), 5–14 ms once frozen."""
    gc.collect()
    gc.freeze()


class Runtime:
    """A nameko runner for some components, started with Ponte's configuration."""

    def __init__(self, components: Iterable[str], config: Settings | None = None) -> None:
        self.config = config or settings()
        self.components = list(components)
        unknown = set(self.components) - set(COMPONENTS)
        if unknown:
            raise SystemExit(f"unknown component(s): {', '.join(sorted(unknown))}; "
                             f"choose from {', '.join(COMPONENTS)}")
        self._patch = nameko_config.patch(nameko_settings(self.config))
        self.runner: ServiceRunner | None = None
        self.ready = False  # migrations applied and every entrypoint consuming; not stopping

    def start(self) -> None:
        self._patch.start()
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        classes = service_classes()
        self.runner = ServiceRunner()
        for name in self.components:
            self.runner.add_service(classes[name])
        self.runner.start()
        freeze_what_lives()
        self.ready = True

    def stop(self) -> None:
        self.ready = False
        if self.runner is not None:
            self.runner.stop()
            self.runner = None
        self._patch.stop()

    def wait(self) -> None:
        """Until SIGTERM or SIGINT, then stop. If a service container dies instead (nameko
        kills one whose worker or consumer thread fails), stop and exit with status 1: a
        process that lives on without consuming would look healthy to its supervisor."""
        stopped = eventlet.event.Event()

        def _stop(*_args) -> None:  # noqa: ANN002
            if not stopped.ready():
                stopped.send(None)

        def _watch() -> None:
            try:
                self.runner.wait()  # returns when stopped, raises when a container dies
            except Exception as exc:  # noqa: BLE001  any way a container dies ends the process
                if not stopped.ready():
                    stopped.send(exc)

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        eventlet.spawn_n(_watch)
        died = stopped.wait()
        if died is None:
            log.info("stopping")
            self.stop()
            return
        log.critical("a service container died (%r); stopping so that the process is "
                     "restarted", died)
        self.ready = False
        try:
            self.stop()
        except Exception:  # noqa: BLE001  exiting is what matters now
            log.exception("stopping after the failure failed too")
        raise SystemExit(1)


def probe_app(runtime: Runtime):  # noqa: ANN201
    """The WSGI app a service process serves on ``PONTE_METRICS_PORT``: ``/metrics``
    (Prometheus), ``/healthz`` (the process answers: liveness) and ``/readyz`` (200 once its
    migrations are applied and its entrypoints consume, 503 while starting or stopping:
    readiness, so a rolling update waits for the new pod before it stops an old one)."""
    from prometheus_client import make_wsgi_app
    metrics = make_wsgi_app()

    def app(environ, start_response):  # noqa: ANN001, ANN202
        path = environ.get("PATH_INFO", "")
        if path in ("/healthz", "/readyz"):
            ok = path == "/healthz" or runtime.ready
            status = "ok" if ok else "starting or stopping"
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "application/json")])
            return [f'{{"status": "{status}", "components": {list(runtime.components)!r}}}'
                    .replace("'", '"').encode()]
        return metrics(environ, start_response)
    return app


def start_probe_server(port: int, runtime: Runtime) -> None:
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass
    # Every interface, as prometheus_client's own server: Prometheus and the kubelet reach
    # the pod by its address. It is served only when PONTE_METRICS_PORT is set.
    server = make_server("0.0.0.0", port, probe_app(runtime),  # nosec B104 # see above
                         ThreadingWSGIServer, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True, name="probes").start()


def serve(components: Iterable[str]) -> None:
    config = settings()
    components = list(components)
    logs.configure(config.log_level, "+".join(components) if len(components) < 3 else "ponte")
    runtime = Runtime(components, config)
    if config.metrics_port and "gateway" not in components:
        start_probe_server(config.metrics_port, runtime)
    runtime.start()
    log.info("ponte started", extra={"components": components, "broker": config.amqp_uri
                                     if config.embedded_broker else "amqp",
                                     "http": config.http_address if "gateway" in components
                                     else None})
    runtime.wait()
