"""Who is in the demo, and their passwords: random per data directory, made once and kept in
``{data_dir}/demo/accounts.json`` as ``[{"role", "kind", "login", "password"}]``."""
from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from ponte.documents import cnpj_check_digits, cpf_check_digits
from ponte.roles import CITIZEN, PROVIDER, SECRETARY, STAFF

DOMAIN = "ponte-demo.test"


def cpf(first_nine: str) -> str:
    return first_nine + cpf_check_digits(first_nine)


def cnpj(first_twelve: str) -> str:
    return first_twelve + cnpj_check_digits(first_twelve)


@dataclass(frozen=True)
class Person:
    """Someone with a login: what they do (``role``), their account kind, name and e-mail."""

    key: str
    role: str
    kind: str
    name: str
    login: str
    document: str | None = None


ADMIN = Person("admin", "administrator", STAFF, "Adriana Administradora", f"admin@{DOMAIN}")
OPERATOR = Person("operator", "operator", STAFF, "Olívia Operadora", f"operadora@{DOMAIN}")
AUDITOR = Person("auditor", "auditor", STAFF, "Augusto Auditor", f"auditor@{DOMAIN}")
MANAGER = Person("manager", "institution manager", STAFF, "Márcia Gestora", f"gestora@{DOMAIN}")
ANA = Person("ana", "attendant", STAFF, "Ana Atendente", f"ana.atendente@{DOMAIN}")
BRUNO = Person("bruno", "attendant", STAFF, "Bruno Atendente", f"bruno.atendente@{DOMAIN}")
CLINIC_CENTRO = Person("clinic_centro", "provider: clinic, site Centro", PROVIDER,
                       "Clínica Sorriso Carioca", f"centro@sorriso.{DOMAIN}",
                       cnpj("12ABC3450001"))
CLINIC_BARRA = Person("clinic_barra", "provider: clinic, site Barra", PROVIDER,
                      "Clínica Sorriso Carioca", f"barra@sorriso.{DOMAIN}", CLINIC_CENTRO.document)
DENTIST = Person("dentist", "provider: dentist", PROVIDER, "Dra. Helena Duarte",
                 f"helena.duarte@{DOMAIN}", cpf("529982247"))
SOFIA = Person("sofia", "secretary (authorizations, billing; both providers)", SECRETARY,
               "Sofia Secretária", f"sofia@{DOMAIN}", cpf("315758440"))
BEATRIZ = Person("beatriz", "secretary (pending invitation)", SECRETARY, "Beatriz Nunes",
                 f"beatriz@{DOMAIN}", cpf("746971314"))
CARLA = Person("carla", "citizen", CITIZEN, "Carla Cidadã", f"carla@{DOMAIN}", cpf("111444777"))
DAVI = Person("davi", "citizen", CITIZEN, "Davi Cidadão", f"davi@{DOMAIN}", cpf("390533447"))

CAST: tuple[Person, ...] = (ADMIN, OPERATOR, AUDITOR, MANAGER, ANA, BRUNO, CLINIC_CENTRO,
                            CLINIC_BARRA, DENTIST, SOFIA, BEATRIZ, CARLA, DAVI)


def new_password() -> str:
    """Three groups of four letters and digits joined by ``-``: it passes the password policy
    (a letter, a digit and a special character) and is easy to type."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)]
    return f"{secrets.choice(string.ascii_uppercase)}{groups[0]}-{groups[1]}-" \
           f"{groups[2]}{secrets.randbelow(10)}"


class Passwords:
    """Each person's password in this data directory, generated on first use and kept."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "accounts.json"
        kept = json.loads(self.path.read_text()) if self.path.exists() else []
        self.by_login: dict[str, str] = {row["login"]: row["password"] for row in kept}

    def __getitem__(self, person: Person) -> str:
        return self.by_login[person.login]

    def ensure(self) -> None:
        """Every person of :data:`CAST` has a password; ``accounts.json`` lists them all."""
        for person in CAST:
            self.by_login.setdefault(person.login, new_password())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.rows(), indent=2, ensure_ascii=False) + "\n")
        self.path.chmod(0o600)

    def rows(self) -> list[dict[str, str]]:
        return [{"role": p.role, "kind": p.kind, "login": p.login, "password": self[p]}
                for p in CAST]


def table(rows: list[dict[str, str]]) -> str:
    """The accounts as a plain-text table: role, login, password."""
    header = {"role": "role", "login": "login", "password": "password"}  # nosec B105 # a title
    widths = {col: max(len(r[col]) for r in [header, *rows]) for col in header}
    lines = ["  ".join(r[col].ljust(widths[col]) for col in header) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * widths[col] for col in header))
    return "\n".join(line.rstrip() for line in lines)

