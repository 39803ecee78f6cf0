"""The deployment files agree with the code: one image, one container/Deployment per component,
the environment every component needs, health checks, and no component forgotten.

Docker cannot run where these tests run, so they read the files as data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from gateway.limits import networks
from ponte import config
from ponte.config import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPONENTS = ("identity", "relationships", "authorizations", "attendance", "notifications",
              "gateway")
INFRASTRUCTURE = ("rabbitmq", "postgres", "minio")
REQUIRED_ENV = ("AMQP_URI", "PONTE_DB_URL", "PONTE_STORAGE_URL", "PONTE_SECRET_KEY",
                "PONTE_SMTP_URL")
GATEWAY_PORT = 8000
METRICS_PORT = 9100


def test_every_component_is_deployed():
    """A new service directory without a container and a Deployment fails here."""
    service_dirs = {path.name for path in (ROOT / "services").iterdir()
                    if path.is_dir() and (path / "__init__.py").exists()}
    assert set(COMPONENTS) == service_dirs | {"gateway"}
    assert set(COMPONENTS) == {*SERVICES, "gateway"}  # what `ponte run` accepts


# --- docker-compose.yml -------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def _build_context(service: dict) -> str | None:
    build = service.get("build")
    return build.get("context") if isinstance(build, dict) else build


@pytest.mark.parametrize("name", COMPONENTS)
def test_compose_runs_each_component_from_the_one_image(compose, name):
    service = compose["services"][name]
    assert _build_context(service) == "."
    assert service["command"] == ["run", name]
    assert "image" not in service or service.get("build")
    env = _environment(service)
    missing = [var for var in REQUIRED_ENV if not env.get(var)]
    assert not missing, f"{name} lacks {missing}"


def test_compose_components_share_one_secret_key(compose):
    keys = {_environment(compose["services"][name])["PONTE_SECRET_KEY"] for name in COMPONENTS}
    assert len(keys) == 1


@pytest.mark.parametrize("name", COMPONENTS)
def test_compose_components_wait_for_healthy_infrastructure(compose, name):
    depends_on = compose["services"][name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on must state conditions"
    for infra in INFRASTRUCTURE:
        assert depends_on[infra]["condition"] == "service_healthy"
    if name == "notifications":
        assert depends_on["mailpit"]["condition"] in ("service_started", "service_healthy")


@pytest.mark.parametrize("name", [c for c in COMPONENTS if c != "gateway"])
def test_compose_services_can_be_scaled(compose, name):
    """`docker compose up --scale <name>=3` needs no fixed container name and no host port."""
    service = compose["services"][name]
    assert "container_name" not in service
    assert not service.get("ports")


@pytest.mark.parametrize("name", [c for c in COMPONENTS if c != "gateway"])
def test_compose_service_healthcheck_uses_its_metrics_port(compose, name):
    service = compose["services"][name]
    assert _environment(service)["PONTE_METRICS_PORT"] == str(METRICS_PORT)
    test = " ".join(service["healthcheck"]["test"])
    assert f"127.0.0.1:{METRICS_PORT}/metrics" in test


def test_compose_gateway_is_published_and_checked(compose):
    gateway = compose["services"]["gateway"]
    published = [str(port) for port in gateway["ports"]]
    assert any(port.split(":")[-1] == str(GATEWAY_PORT) for port in published)
    assert _environment(gateway)["PONTE_HTTP_ADDRESS"] == f"0.0.0.0:{GATEWAY_PORT}"
    test = gateway["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"  # the slim image has no curl
    assert f"http://127.0.0.1:{GATEWAY_PORT}/readyz" in test[-1]


def test_compose_only_identity_gets_the_admin_account(compose):
    for name in COMPONENTS:
        env = _environment(compose["services"][name])
        assert ("PONTE_ADMIN_PASSWORD" in env) == (name == "identity")


@pytest.mark.parametrize("name,probe", [("rabbitmq", "rabbitmq-diagnostics"),
                                        ("postgres", "pg_isready"),
                                        ("minio", "mc")])
def test_compose_infrastructure_has_healthchecks(compose, name, probe):
    test = compose["services"][name]["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    assert probe in " ".join(test[1:])


def _tag(image: str) -> str:
    return image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""


def test_compose_pins_infrastructure_at_versions_ponte_works_with(compose):
    """The servers Ponte talks to, at versions it works with: RabbitMQ (with the management
    plugin nameko's test tools use) and PostgreSQL 13 or newer (DROP DATABASE ... WITH (FORCE)),
    each pinned to a release rather than whatever ``latest`` is that day."""
    services = compose["services"]
    rabbit, postgres = services["rabbitmq"]["image"], services["postgres"]["image"]
    assert rabbit.split(":")[0] == "rabbitmq" and "management" in _tag(rabbit)
    assert postgres.split(":")[0] == "postgres" and int(_tag(postgres).split(".")[0]) >= 13
    assert services["minio"]["command"][:2] == ["server", "/data"]
    assert {"8025:8025", "1025:1025"} <= {str(port) for port in services["mailpit"]["ports"]}
    assert _environment(services["postgres"])["POSTGRES_USER"] == "ponte"


def test_compose_credentials_agree_with_infrastructure(compose):
    services = compose["services"]
    env = _environment(services["identity"])
    rabbit = _environment(services["rabbitmq"])
    assert env["AMQP_URI"].startswith(
        f"amqp://{rabbit['RABBITMQ_DEFAULT_USER']}:{rabbit['RABBITMQ_DEFAULT_PASS']}@rabbitmq:")
    postgres = _environment(services["postgres"])
    assert f"//{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}@postgres:" \
        in env["PONTE_DB_URL"]
    assert "{service}" in env["PONTE_DB_URL"]
    minio = _environment(services["minio"])
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == \
        (minio["MINIO_ROOT_USER"], minio["MINIO_ROOT_PASSWORD"])
    assert env["PONTE_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["PONTE_SMTP_URL"] == "smtp://mailpit:1025"



def test_compose_gateway_says_whom_it_trusts_for_forwarded_addresses(compose):
    """Published straight to clients, the gateway trusts no proxy by default (a client's own
    X-Forwarded-For must not choose its rate-limit bucket); one in front is named here."""
    env = _environment(compose["services"]["gateway"])
    assert env["PONTE_TRUSTED_PROXIES"] == "${PONTE_TRUSTED_PROXIES:-}"
    for name in COMPONENTS:  # only the gateway reads it
        assert ("PONTE_TRUSTED_PROXIES" in _environment(compose["services"][name])) == \
            (name == "gateway")

# --- Dockerfile ---------------------------------------------------------------------------

def _final_stage() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile's last stage, continuations joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    instructions = [tuple(line.split(None, 1)) for line in lines if line and line[0] != "#"]
    last_from = max(i for i, (word, _) in enumerate(instructions) if word.upper() == "FROM")
    return [(word.upper(), args) for word, args in instructions[last_from:]]


def test_dockerfile_runs_ponte_as_a_non_root_user():
    stage = _final_stage()
    found = dict(stage)  # the last of each instruction wins, as in Docker
    base, _, tag = found["FROM"].split()[0].partition(":")
    required = re.search(r'requires-python = ">=3\.(\d+)"',
                         (ROOT / "pyproject.toml").read_text()).group(1)
    assert base == "python" and int(tag.split("-")[0].split(".")[1]) >= int(required)
    assert json.loads(found["ENTRYPOINT"]) == ["ponte"]
    assert json.loads(found["CMD"]) == ["up"]
    assert found["USER"].split(":")[0] not in ("root", "0")
    runs = [args for word, args in stage if word == "RUN"]
    lock = next(i for i, args in enumerate(runs) if "-r /tmp/requirements.lock" in args)
    project = next(i for i, args in enumerate(runs) if "/tmp/wheels/" in args)
    assert lock < project
    assert "--no-deps" in runs[lock] and "--no-deps" in runs[project]


def test_dockerignore_keeps_local_state_out():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "var", ".git", "**/__pycache__", ".pytest_cache"} <= ignored


# --- deploy/k8s ---------------------------------------------------------------------------

def _k8s_files() -> list[Path]:
    return sorted([*K8S.glob("*.yaml"), *K8S.glob("*.yml")])


@pytest.fixture(scope="module")
def manifests() -> list[dict]:
    docs = []
    for path in _k8s_files():
        if path.name == "kustomization.yaml":
            continue
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def _objects(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == kind}


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {path.name for path in _k8s_files()} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    assert kustomization["namespace"] == "ponte"
    assert [image["name"] for image in kustomization["images"]] == ["ponte"]


def test_every_manifest_is_in_the_namespace(manifests):
    for doc in manifests:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "ponte", doc["metadata"]["name"]


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_component_s_k8s_deployment_runs_it_configured_and_bounded(manifests, name):
    deployment = _objects(manifests, "Deployment")[name]
    pod = deployment["spec"]["template"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    [container] = pod["spec"]["containers"]
    assert container["image"] == "ponte"
    assert container["args"] == ["run", name]
    assert "command" not in container  # the image's ENTRYPOINT is ponte
    refs = {(next(iter(ref)), next(iter(ref.values()))["name"]) for ref in container["envFrom"]}
    assert {("configMapRef", "ponte-config"), ("secretRef", "ponte-secrets")} <= refs
    assert ("secretRef", "ponte-admin") in refs if name == "identity" else \
        ("secretRef", "ponte-admin") not in refs
    resources = container["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert {"cpu", "memory"} <= resources["limits"].keys()
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    # probes, replicas, budgets and autoscalers: tests/unit/test_k8s_manifests.py


def test_k8s_gateway_trusts_forwarded_addresses_from_its_ingress_only(manifests, monkeypatch):
    """Behind the ingress every request's peer is an ingress controller pod: without trusted
    proxies all clients would share one rate-limit bucket; with a catch-all, any client could
    name its own address in X-Forwarded-For."""
    [container] = _objects(manifests, "Deployment")["gateway"]["spec"]["template"]["spec"][
        "containers"]
    env = {item["name"]: item["value"] for item in container.get("env", [])}
    monkeypatch.setenv("PONTE_TRUSTED_PROXIES", env["PONTE_TRUSTED_PROXIES"])
    config.settings.cache_clear()
    try:
        trusted = networks(config.settings().trusted_proxies)
    finally:
        config.settings.cache_clear()
    assert trusted and all(network.prefixlen >= 8 for network in trusted), trusted
    assert all(network.is_private for network in trusted), trusted
    for name in SERVICES:  # only the gateway reads it
        [other] = _objects(manifests, "Deployment")[name]["spec"]["template"]["spec"][
            "containers"]
        assert "PONTE_TRUSTED_PROXIES" not in {item["name"] for item in other.get("env", [])}


def test_k8s_services_select_deployments(manifests):
    deployments = _objects(manifests, "Deployment")
    services = _objects(manifests, "Service")
    assert {"gateway"} | {f"{name}-metrics" for name in SERVICES} <= services.keys()
    for service in services.values():
        selector = service["spec"]["selector"]
        assert any(selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
                   for d in deployments.values()), service["metadata"]["name"]
    for name in SERVICES:
        metrics = services[f"{name}-metrics"]
        assert metrics["spec"]["clusterIP"] == "None"
        annotations = metrics["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    assert services["gateway"]["spec"]["ports"][0]["targetPort"] in ("http", GATEWAY_PORT)


def test_k8s_configuration_provides_the_environment(manifests):
    config = _objects(manifests, "ConfigMap")["ponte-config"]["data"]
    secret = _objects(manifests, "Secret")["ponte-secrets"]["stringData"]
    assert not config.keys() & secret.keys()
    assert set(REQUIRED_ENV) <= config.keys() | secret.keys()
    assert {"AMQP_URI", "PONTE_DB_URL", "PONTE_SECRET_KEY"} <= secret.keys()
    assert config["PONTE_METRICS_PORT"] == str(METRICS_PORT)
    assert config["PONTE_HTTP_ADDRESS"].endswith(f":{GATEWAY_PORT}")
    assert all(isinstance(value, str) for value in config.values())


def test_k8s_secret_holds_only_placeholders(manifests):
    """No usable credential is shipped: every secret value is a placeholder to replace."""
    secrets = {**_objects(manifests, "Secret")["ponte-secrets"]["stringData"],
               **_objects(manifests, "Secret")["ponte-admin"]["stringData"]}
    secrets.pop("PONTE_ADMIN_EMAIL")  # an address, not a credential
    assert secrets and all("CHANGE-ME" in value for value in secrets.values()), secrets


# --- deploy/config.yaml -------------------------------------------------------------------

class _NamekoLoader(yaml.SafeLoader):
    """nameko's ``${VAR:default}`` loader, without changing yaml.SafeLoader for other tests."""


def _load_nameko_config() -> dict:
    from nameko.cli.utils.config import IMPLICIT_ENV_VAR_MATCHER, env_var_constructor

    _NamekoLoader.add_constructor("!env_var", env_var_constructor)
    _NamekoLoader.add_implicit_resolver("!env_var", IMPLICIT_ENV_VAR_MATCHER, None)
    return yaml.load((ROOT / "deploy" / "config.yaml").read_text(), Loader=_NamekoLoader)


NAMEKO_ENV = ("AMQP_URI", "PONTE_HTTP_ADDRESS", "NAMEKO_MAX_WORKERS", "NAMEKO_PREFETCH_COUNT",
              "NAMEKO_HEARTBEAT", "PONTE_LOG_LEVEL")


def test_nameko_config_matches_ponte_run(monkeypatch):
    from types import SimpleNamespace

    from ponte.runtime import nameko_settings

    for var in NAMEKO_ENV:
        monkeypatch.delenv(var, raising=False)
    config = _load_nameko_config()
    ponte_run = nameko_settings(SimpleNamespace(amqp_uri="amqp://guest:guest@localhost:5672/",
                                                http_address="127.0.0.1:8000"))
    assert {key: config[key] for key in ponte_run} == ponte_run
    assert config["LOGGING"]["root"]["level"] == "INFO"


def test_nameko_config_reads_the_environment(monkeypatch):
    monkeypatch.setenv("AMQP_URI", "amqp://ponte:secret@rabbitmq:5672/ponte")
    monkeypatch.setenv("PONTE_HTTP_ADDRESS", "0.0.0.0:8000")
    monkeypatch.setenv("NAMEKO_MAX_WORKERS", "20")
    monkeypatch.setenv("NAMEKO_PREFETCH_COUNT", "5")
    monkeypatch.setenv("PONTE_LOG_LEVEL", "DEBUG")
    config = _load_nameko_config()
    assert config["AMQP_URI"] == "amqp://ponte:secret@rabbitmq:5672/ponte"
    assert config["WEB_SERVER_ADDRESS"] == "0.0.0.0:8000"
    assert (config["max_workers"], config["PREFETCH_COUNT"]) == (20, 5)
    assert config["LOGGING"]["root"]["level"] == "DEBUG"


def test_nameko_config_logging_factories_exist():
    """dictConfig would fail at `nameko run` start if these names moved."""
    import importlib
    import logging

    logging_config = _load_nameko_config()["LOGGING"]
    for section in ("filters", "formatters"):
        for options in logging_config[section].values():
            options = dict(options)
            module, _, name = options.pop("()").rpartition(".")
            made = getattr(importlib.import_module(module), name)(**options)
            assert isinstance(made, (logging.Filter, logging.Formatter))
