"""deploy/k8s/ holds together: every component has a Deployment with resources (requests within
limits), probes on endpoints the code really serves, a PodDisruptionBudget that still lets a node
drain, and the gateway and authorizations a HorizontalPodAutoscaler that owns their replica count.

Read as data: no cluster is needed (``kubectl apply --dry-run`` needs one)."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from wsgiref.util import setup_testing_defaults

import pytest
import yaml

from gateway.service import API
from ponte.config import SERVICES
from ponte.runtime import probe_app

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
COMPONENTS = (*SERVICES, "gateway")
AUTOSCALED = ("gateway", "authorizations")


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def cpu(value: str | int | float) -> float:
    text = str(value)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def memory(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", value).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_every_object_is_in_the_namespace_and_listed(objects):
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml")
                                    if p.name != "kustomization.yaml")
    for o in objects:
        if o["kind"] != "Namespace":
            assert o["metadata"]["namespace"] == "ponte", o["metadata"]["name"]


@pytest.mark.parametrize("name", COMPONENTS)
def test_resources_are_set_and_requests_fit_within_limits(objects, name):
    [container] = of_kind(objects, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert 0 < cpu(requests["cpu"]) <= cpu(limits["cpu"])
    assert 0 < memory(requests["memory"]) <= memory(limits["memory"])
    # one process runs its requests on one core (eventlet): a limit above 1 CPU buys nothing
    assert cpu(limits["cpu"]) <= 1


def _get(app, path: str) -> str:  # noqa: ANN001
    environ: dict = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    answer: dict = {}
    b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    return answer["status"]


@pytest.mark.parametrize("name", COMPONENTS)
def test_probes_point_at_endpoints_the_process_serves(objects, name):
    [container] = of_kind(objects, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        if probe in container:
            assert container[probe]["httpGet"]["port"] in ports
    if name == "gateway":
        served = {route.path for route in API.routes}
        assert {"/readyz", "/healthz"} <= served
        assert ports[container["readinessProbe"]["httpGet"]["port"]] == 8000
    else:
        app = probe_app(SimpleNamespace(ready=True, components=[name]))
        assert _get(app, "/readyz") == _get(app, "/healthz") == "200 OK"
        assert ports[container["readinessProbe"]["httpGet"]["port"]] == 9100


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_component_has_a_disruption_budget_that_lets_a_node_drain(objects, name):
    deployment = of_kind(objects, "Deployment")[name]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    budgets = [b for b in of_kind(objects, "PodDisruptionBudget").values()
               if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
    assert len(budgets) == 1, f"{name}: {len(budgets)} PodDisruptionBudgets"
    autoscaler = of_kind(objects, "HorizontalPodAutoscaler").get(name)
    replicas = autoscaler["spec"]["minReplicas"] if autoscaler else deployment["spec"]["replicas"]
    assert budgets[0]["spec"]["minAvailable"] < replicas  # else a drain waits forever


@pytest.mark.parametrize("name", AUTOSCALED)
def test_the_busy_components_scale_on_cpu_and_the_autoscaler_owns_replicas(objects, name):
    autoscaler = of_kind(objects, "HorizontalPodAutoscaler")[name]
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", name)
    assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]
    [metric] = autoscaler["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert 0 < metric["resource"]["target"]["averageUtilization"] <= 100
    # a replica count in the Deployment would reset the autoscaler's at every `kubectl apply`
    assert "replicas" not in of_kind(objects, "Deployment")[name]["spec"]


def test_only_the_busy_components_are_autoscaled(objects):
    assert set(of_kind(objects, "HorizontalPodAutoscaler")) == set(AUTOSCALED)
