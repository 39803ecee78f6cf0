"""scripts/audit's judgement of a pip-audit report: a known vulnerability fails the run; a
dependency the advisory service could not audit is reported and does not."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SUMMARY = Path(__file__).resolve().parents[2] / "scripts" / "pip_audit_summary.py"


def judge(tmp_path, dependencies, status: int = 0) -> subprocess.CompletedProcess:
    report = tmp_path / "report.json"
    if dependencies is not None:
        report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    return subprocess.run([sys.executable, str(SUMMARY), str(report), str(status)],
                          capture_output=True, text=True)


def test_a_known_vulnerability_fails_the_audit(tmp_path):
    done = judge(tmp_path, [
        {"name": "werkzeug", "version": "3.0.0", "vulns": [
            {"id": "PYSEC-2024-1", "fix_versions": ["3.0.3"], "aliases": [],
             "description": "x"}]},
        {"name": "jinja2", "version": "3.1.6", "vulns": []}], status=1)
    assert done.returncode == 1
    assert "VULNERABLE werkzeug 3.0.0: PYSEC-2024-1 (fixed in 3.0.3)" in done.stdout
    assert "2 pinned packages, 2 audited, 1 vulnerable" in done.stdout


def test_dependencies_that_could_not_be_audited_are_reported_not_failed(tmp_path):
    done = judge(tmp_path, [
        {"name": "alembic", "skip_reason":
            "Dependency not found on PyPI and could not be audited: alembic (1.17.2)"},
        {"name": "jinja2", "version": "3.1.6", "vulns": []}])
    assert done.returncode == 0
    assert "2 pinned packages, 1 audited, 0 vulnerable, 1 could not be audited" in done.stdout
    assert "Dependency not found on PyPI" in done.stdout


def test_no_report_at_all_means_nothing_was_checked(tmp_path):
    done = judge(tmp_path, None, status=1)
    assert done.returncode == 0 and "could not audit" in done.stdout
