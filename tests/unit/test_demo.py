"""The demo's own pieces: passwords that pass the policy and stay with their data directory,
files the upload checks accept, a ledger that runs each step once, and a demo that stays out
of every other command and of another system's data."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

from ponte import storage
from ponte.demo.accounts import CAST, Passwords, new_password, table
from ponte.demo.files import pdf, png
from ponte.demo.ledger import Ledger
from ponte.demo.run import holds_another_system
from ponte.roles import ACCOUNT_KINDS
from services.identity.domain.passwords import policy_errors


def test_passwords_pass_the_policy_and_differ():
    made = [new_password() for _ in range(200)]
    assert all(policy_errors(password) == [] for password in made)
    assert len(set(made)) == len(made)


def test_passwords_are_made_once_per_data_directory_and_kept(tmp_path):
    first = Passwords(tmp_path / "a" / "demo")
    first.ensure()
    again = Passwords(tmp_path / "a" / "demo")
    again.ensure()
    other = Passwords(tmp_path / "b" / "demo")
    other.ensure()
    assert again.rows() == first.rows()
    assert {r["password"] for r in other.rows()}.isdisjoint(r["password"] for r in first.rows())
    written = json.loads((tmp_path / "a" / "demo" / "accounts.json").read_text())
    assert written == first.rows()
    assert all(set(row) == {"role", "kind", "login", "password"} for row in written)
    assert {row["kind"] for row in written} == set(ACCOUNT_KINDS)
    assert (tmp_path / "a" / "demo" / "accounts.json").stat().st_mode & 0o077 == 0


def test_the_cast_has_one_login_each():
    assert len({person.login for person in CAST}) == len(CAST)


def test_the_table_lines_up_role_login_and_password(tmp_path):
    passwords = Passwords(tmp_path)
    passwords.ensure()
    lines = table(passwords.rows()).splitlines()
    assert re.fullmatch(r"role +login +password", lines[0])
    assert set(lines[1]) == {"-", " "} and len(lines) == len(CAST) + 2
    column = lines[0].index("login")
    assert all(line[column - 2:column] == "  " for line in lines[2:])


def test_the_generated_files_pass_the_upload_checks_by_content():
    assert storage.identify(png(32, 16, (0, 0, 0), (255, 255, 255))) == "png"
    document = pdf("Tabela (2027)")
    assert storage.identify(document[:storage.SNIFF_BYTES], io.BytesIO(document)) == "pdf"


def test_the_ledger_runs_each_step_once_across_restarts(tmp_path):
    runs = []
    assert Ledger(tmp_path).once("clinic", lambda: runs.append(1) or {"id": "c-1"}) == {
        "id": "c-1"}
    again = Ledger(tmp_path)
    assert again.once("clinic", lambda: runs.append(2) or {"id": "c-2"}) == {"id": "c-1"}
    assert "clinic" in again and "dentist" not in again and runs == [1]


def test_a_data_directory_of_another_system_is_left_alone(tmp_path):
    assert not holds_another_system(tmp_path)
    (tmp_path / "identity.db").write_bytes(b"")
    assert holds_another_system(tmp_path)
    (tmp_path / "demo").mkdir()
    assert not holds_another_system(tmp_path)


def test_only_the_demo_command_loads_the_demo():
    """``ponte up`` (``make run``) never seeds: nothing but ``ponte demo`` imports it."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from ponte import cli, runtime; "
         "runtime.service_classes(); "
         "print(any(m.startswith('ponte.demo') for m in sys.modules))"],
        capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
