"""Test start-up. eventlet must patch the standard library before anything imports it."""
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402

import pytest  # noqa: E402

from tests.stack import Stack, distributed_infrastructure, infrastructure_missing  # noqa: E402

RUNTIMES = ["embedded", "distributed"]


@pytest.fixture(scope="module", params=RUNTIMES)
def stack(request, tmp_path_factory):
    """The whole system, started per test module on each runtime."""
    if request.param == "distributed":
        reason = infrastructure_missing()
        if reason:
            if os.environ.get("CI") == "true" and "not installed" not in reason:
                pytest.fail(f"CI must run the distributed half: {reason}")
            pytest.skip(f"distributed half skipped: {reason}")
    running = Stack(request.param, tmp_path_factory.mktemp(request.param))
    try:
        if request.param == "distributed":
            distributed_infrastructure(running)
        running.start()
    except BaseException:
        running.stop()
        for name in ("ponte-up", *running.processes):
            print(f"--- {name} log ---\n{running.log(name)[-4000:]}")
        raise
    yield running
    running.stop()


@pytest.fixture
def client(stack):
    return stack.client


@pytest.fixture
def mail(stack):
    return stack.mail
