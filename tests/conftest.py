"""Test start-up. eventlet must patch the standard library before anything imports it."""
import eventlet

eventlet.monkey_patch()

import uuid  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from ponte import config  # noqa: E402
from ponte.db import create_engine_for, migrate  # noqa: E402
from tests.stack import (  # noqa: E402
    COMPONENTS,
    Stack,
    _run,
    distributed_infrastructure,
    require_infrastructure,
)

RUNTIMES = ["embedded", "distributed"]
WHOLE_SYSTEM = ("e2e", "browser", "fuzz")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """pytest-randomly shuffles every module's tests (unit and service tests must not depend on
    their order). A whole-system module is a story on one stack, each test building on the
    ones before it, so its tests keep their file order; the modules themselves stay shuffled."""
    written = {id(item): n for n, item in enumerate(items)}
    yield
    start = 0
    while start < len(items):
        module = items[start].nodeid.split("::")[0]
        end = start
        while end < len(items) and items[end].nodeid.split("::")[0] == module:
            end += 1
        if module.split("/")[1:2] and module.split("/")[1] in WHOLE_SYSTEM:
            items[start:end] = sorted(items[start:end], key=lambda item: (
                _runtime(item), written[id(item)]))
        start = end


def _runtime(item) -> str:
    """The runtime a whole-system test runs on: one module's tests on one stack in a row."""
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("stack", "")) if callspec else ""


def _running(kind: str, tmp_path_factory, env: dict[str, str] | None = None):
    if kind == "distributed":
        require_infrastructure("the distributed half")
    running = Stack(kind, tmp_path_factory.mktemp(kind), env=env)
    try:
        if kind == "distributed":
            distributed_infrastructure(running)
        running.start()
    except BaseException:
        running.stop()
        for name in ("ponte-up", *COMPONENTS):
            if running.log(name):
                print(f"--- {name} log ---\n{running.log(name)[-4000:]}")
        raise
    yield running
    running.stop()


@pytest.fixture(scope="module", params=RUNTIMES)
def stack(request, tmp_path_factory):
    """The whole system, started per test module on each runtime."""
    yield from _running(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def distributed_stack(tmp_path_factory):
    """One process per component on RabbitMQ + PostgreSQL, for tests that stop some of them."""
    yield from _running("distributed", tmp_path_factory)


@pytest.fixture
def client(stack):
    return stack.client


@pytest.fixture
def mail(stack):
    return stack.mail


@pytest.fixture
def postgres_databases(monkeypatch):
    """PONTE_DB_URL on the machine's PostgreSQL with a fresh name prefix; yields the prefix and
    drops every database created under it afterwards. Skips where PostgreSQL is missing, except
    in CI, where that fails."""
    require_infrastructure("PostgreSQL")
    prefix = f"ponte_t_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PONTE_DB_URL",
                       f"postgresql+psycopg2://postgres@127.0.0.1:5432/{prefix}_{{service}}")
    config.settings.cache_clear()
    yield prefix
    config.settings.cache_clear()
    names = _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                 f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'").stdout
    for name in names.split():
        _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-c",
             f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def service_database(tmp_path, monkeypatch):
    """``service_database("notifications")``: that service's database on SQLite in tmp_path,
    migrated, as a sessionmaker (the service itself does not run)."""
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    engines = []

    def migrated(service: str) -> sessionmaker:
        engine = create_engine_for(service)
        engines.append(engine)
        migrate(service, engine)
        return sessionmaker(engine, expire_on_commit=False)

    yield migrated
    for engine in engines:
        engine.dispose()
    config.settings.cache_clear()
