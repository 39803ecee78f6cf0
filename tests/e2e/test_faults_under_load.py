"""Faults under a write load, bounded (the long version is ``make chaos``; see bench/chaos.py).

In the distributed mode, with e-mail over SMTP to a sink: providers submit authorization
requests, an auditor decides them, citizens register, reset passwords, submit and rate service
requests — while each component is killed with SIGKILL and started again, RabbitMQ drops every
connection of this run's vhost, notifications stops, and this run's PostgreSQL databases refuse
connections. The faults touch only this test's vhost and databases: the machine's RabbitMQ and
PostgreSQL are shared, so the real restarts are left to ``make chaos``.

Afterwards: every request answered 2xx exists exactly once in the state its answer said, every
e-mail an event causes arrived once, no answer was a 5xx other than a 503 with Retry-After within
the RPC deadline, nothing hung."""
from __future__ import annotations

import pytest

from bench import chaos
from tests.stack import infrastructure_missing


def test_faults_under_a_write_load_lose_repeat_and_hang_nothing(tmp_path):
    reason = infrastructure_missing()
    if reason:
        pytest.skip(f"distributed half skipped: {reason}")
    report = chaos.run(tmp_path, gentle=True, between=1.0, notifications_down=8.0, pace=0.1,
                       postgres_down=5.0, providers=2, citizens=1, mail_patience=90.0)
    print("\n" + str(report))
    assert report.ok, str(report)
