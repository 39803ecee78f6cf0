"""A service process's probe endpoints on PONTE_METRICS_PORT (what deploy/k8s points at):
/healthz answers while the process lives, /readyz only once it has started and until it stops,
/metrics stays Prometheus' exposition."""
from __future__ import annotations

import json
from types import SimpleNamespace
from wsgiref.util import setup_testing_defaults

from ponte.runtime import probe_app


def get(app, path: str) -> tuple[str, bytes]:  # noqa: ANN001
    environ: dict = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    answer: dict = {}
    body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    return answer["status"], body


def test_readiness_follows_the_runtime_and_liveness_does_not():
    runtime = SimpleNamespace(ready=False, components=["authorizations"])
    app = probe_app(runtime)
    assert get(app, "/healthz")[0] == "200 OK"
    status, body = get(app, "/readyz")
    assert status.startswith("503") and json.loads(body)["components"] == ["authorizations"]
    runtime.ready = True
    assert get(app, "/readyz")[0] == "200 OK"
    status, body = get(app, "/metrics")
    assert status == "200 OK" and b"# TYPE" in body
