"""Settings read from the environment (the table in API.md, plus operational knobs).

Read once per process with :func:`settings`; tests call :func:`settings.cache_clear` after
changing the environment.
"""
from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("identity", "relationships", "authorizations", "attendance", "notifications")

# name → (default, what it counts); each is read from PONTE_RATE_LIMIT_<NAME> and multiplied by
# PONTE_RATE_LIMIT_FACTOR. Defaults leave room for a clinic of some dozens of people behind
# one NAT address.
RATE_LIMITS = {
    "sign_in": (60, "sign-in attempts per client address per minute"),
    "refresh": (300, "token refreshes per client address per minute"),
    "registration": (30, "registrations and registration-link reads per client address per minute"),
    "password_reset": (30, "password-reset requests and resets per client address per minute"),
    "account_writes": (120, "state-changing requests per account per minute"),
    "emails_per_address": (3, "reset/registration e-mails to one typed address per 15 minutes"),
}


@dataclass(frozen=True)
class Settings:
    http_address: str
    data_dir: Path
    amqp_uri: str
    db_url: str
    storage_url: str
    s3_endpoint_url: str | None
    smtp_url: str | None
    mail_from: str
    admin_email: str | None
    admin_password: str | None
    operator_ans_code: str
    operator_name: str
    public_url: str
    secret_key: str
    rpc_timeout: float
    access_token_ttl: int
    refresh_token_ttl: int
    remember_me_ttl: int
    password_hash_memory_kib: int
    password_hash_time_cost: int
    timezone: str
    log_level: str
    metrics_port: int | None
    http_idle_timeout: float
    http_request_timeout: float
    http_keepalive_timeout: float
    http_min_body_rate: int
    max_json_bytes: int
    rate_limits: dict[str, int]
    rate_limit_factor: float
    trusted_proxies: tuple[str, ...]

    def rate_limit(self, name: str) -> int:
        """A limit of :data:`RATE_LIMITS` as configured, times ``PONTE_RATE_LIMIT_FACTOR``."""
        return max(1, int(self.rate_limits[name] * self.rate_limit_factor))
    meeting_base_url: str = "https://meet.jit.si"
    streams_per_account: int = 5
    streams_per_process: int = 1000
    stream_heartbeat_seconds: float = 15.0

    @property
    def embedded_broker(self) -> bool:
        return self.amqp_uri.startswith("memory://")

    def db_url_for(self, service: str) -> str:
        return self.db_url.replace("{service}", service).replace("{data_dir}", str(self.data_dir))

    @property
    def http_host_port(self) -> tuple[str, int]:
        host, _, port = self.http_address.rpartition(":")
        return host or "127.0.0.1", int(port)


# Links name a host a browser can reach: a wildcard listen address becomes loopback (nothing binds
# here, so bandit's "binds to all interfaces" does not apply).
WILDCARD_HOSTS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]", "::": "[::1]"}  # nosec B104


def served_url(http_address: str) -> str:
    """The URL of the gateway listening on ``http_address``, the public URL when
    ``PONTE_PUBLIC_URL`` is not set: a wildcard address is reached on this machine's loopback."""
    host, _, port = http_address.rpartition(":")
    return f"http://{WILDCARD_HOSTS.get(host, host)}:{port}"


def _secret_key(data_dir: Path) -> str:
    """PONTE_SECRET_KEY signs access tokens. Without one (all-in-one), a random key is kept in
    the data directory so tokens survive a restart."""
    if key := os.environ.get("PONTE_SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@functools.cache
def settings() -> Settings:
    env = os.environ.get
    data_dir = Path(env("PONTE_DATA_DIR", "./var")).resolve()
    metrics_port = env("PONTE_METRICS_PORT")
    return Settings(
        http_address=env("PONTE_HTTP_ADDRESS", "127.0.0.1:8000"),
        data_dir=data_dir,
        amqp_uri=env("AMQP_URI") or "memory://",
        db_url=env("PONTE_DB_URL") or f"sqlite:///{data_dir}/{{service}}.db",
        storage_url=env("PONTE_STORAGE_URL") or f"file://{data_dir}/objects",
        s3_endpoint_url=env("PONTE_S3_ENDPOINT_URL") or None,
        smtp_url=env("PONTE_SMTP_URL") or None,
        mail_from=env("PONTE_MAIL_FROM") or "Ponte <no-reply@ponte.local>",
        admin_email=env("PONTE_ADMIN_EMAIL") or None,
        admin_password=env("PONTE_ADMIN_PASSWORD") or None,
        operator_ans_code=env("PONTE_OPERATOR_ANS_CODE", "000000"),
        operator_name=env("PONTE_OPERATOR_NAME") or "Operadora",
        public_url=(env("PONTE_PUBLIC_URL")
                    or served_url(env("PONTE_HTTP_ADDRESS", "127.0.0.1:8000"))).rstrip("/"),
        secret_key=_secret_key(data_dir),
        rpc_timeout=float(env("PONTE_RPC_TIMEOUT", "4")),
        access_token_ttl=int(env("PONTE_ACCESS_TOKEN_TTL", "600")),
        refresh_token_ttl=int(env("PONTE_REFRESH_TOKEN_TTL", str(12 * 3600))),
        remember_me_ttl=int(env("PONTE_REMEMBER_ME_TTL", str(30 * 24 * 3600))),
        password_hash_memory_kib=int(env("PONTE_PASSWORD_HASH_MEMORY_KIB", "19456")),
        password_hash_time_cost=int(env("PONTE_PASSWORD_HASH_TIME_COST", "2")),
        timezone=env("PONTE_TIMEZONE", "America/Sao_Paulo"),
        log_level=env("PONTE_LOG_LEVEL", "INFO"),
        metrics_port=int(metrics_port) if metrics_port else None,
        http_idle_timeout=float(env("PONTE_HTTP_IDLE_TIMEOUT", "10")),
        http_request_timeout=float(env("PONTE_HTTP_REQUEST_TIMEOUT", "30")),
        http_keepalive_timeout=float(env("PONTE_HTTP_KEEPALIVE_TIMEOUT", "75")),
        http_min_body_rate=max(1, int(env("PONTE_HTTP_MIN_BODY_RATE", str(16 * 1024)))),
        max_json_bytes=int(env("PONTE_MAX_JSON_BYTES", str(1024 * 1024))),
        rate_limits={name: int(env(f"PONTE_RATE_LIMIT_{name.upper()}", str(default)))
                     for name, (default, _what) in RATE_LIMITS.items()},
        rate_limit_factor=float(env("PONTE_RATE_LIMIT_FACTOR", "1")),
        trusted_proxies=tuple(p.strip() for p in env("PONTE_TRUSTED_PROXIES", "").split(",")
                              if p.strip()),
        meeting_base_url=(env("PONTE_MEETING_BASE_URL") or "https://meet.jit.si").rstrip("/"),
        streams_per_account=int(env("PONTE_STREAMS_PER_ACCOUNT", "5")),
        streams_per_process=int(env("PONTE_STREAMS_PER_PROCESS", "1000")),
        stream_heartbeat_seconds=min(float(env("PONTE_STREAM_HEARTBEAT_SECONDS", "15")), 15.0),
    )
