"""nameko face of the identity service: each RPC of docs/rpc.md forwards to a use case; events
of docs/events.md are recorded by the use cases in the same transaction as the change."""
from __future__ import annotations

import functools
import itertools
import logging
from typing import Any

import eventlet
from eventlet import tpool
from nameko.extensions import DependencyProvider

from ponte.caller import Caller
from ponte.config import settings
from ponte.db import Database
from ponte.errors import ServiceUnavailable
from ponte.messaging import Event, handles
from ponte.roles import CITIZEN, SECRETARY
from ponte.service import BaseService, on_start, rpc
from services.identity.domain.passwords import Passwords, hasher
from services.identity.usecases import Ctx, accounts, context, providers, registration, sessions

log = logging.getLogger(__name__)


@functools.cache
def passwords() -> Passwords:
    """argon2 runs in OS threads, so a hash never stalls the other requests of this process."""
    config = settings()
    return Passwords(hasher(config.password_hash_memory_kib, config.password_hash_time_cost),
                     run=tpool.execute)


def _dict(value: Any) -> dict:
    """Arguments that should be objects; anything else is treated as empty (and then refused
    by the rules), never a crash."""
    return value if isinstance(value, dict) else {}


def _session(caller: Any) -> str | None:
    """The session the caller's access token belongs to."""
    return _dict(caller).get("session_id")


class StartedUp(DependencyProvider):
    """Container-wide: set once the start-up work is done, so readiness can wait for it."""

    def setup(self) -> None:
        self.done = eventlet.Event()

    def get_dependency(self, worker_ctx) -> eventlet.Event:  # noqa: ANN001
        return self.done


class IdentityService(BaseService):
    name = "identity"
    db = Database()
    started_up = StartedUp()

    @property
    def ctx(self) -> Ctx:
        return context(self.db, passwords())

    @rpc
    def ping(self) -> dict:
        """Ready only once the configured bootstrap admin exists, so a client told "ready"
        can sign in with it at once."""
        if not self.started_up.ready():
            raise ServiceUnavailable("identity is starting.", retry_after=1)
        return super().ping()

    @on_start
    def bootstrap_admin(self) -> None:
        """PONTE_ADMIN_EMAIL/PASSWORD, retried until the database lets it through."""
        config = settings()
        for attempt in itertools.count(1):
            try:
                registration.bootstrap_admin(self.ctx, config.admin_email,
                                             config.admin_password)
            except Exception:
                log.exception("could not create the bootstrap admin (attempt %d)", attempt)
                eventlet.sleep(min(attempt, 10))
                continue
            if not self.started_up.ready():
                self.started_up.send()
            return

    # sessions
    @rpc
    def login(self, login: Any, password: Any, remember_me: bool = False) -> dict:
        return sessions.login(self.ctx, login, password, remember_me)

    @rpc
    def refresh(self, refresh_token: Any) -> dict:
        return sessions.refresh(self.ctx, refresh_token)

    @rpc
    def logout(self, caller: dict) -> None:
        sessions.logout(self.ctx, Caller.of(caller), _session(caller))

    @rpc
    def recent_revocations(self, seconds: Any) -> list[str]:
        return sessions.recent_revocations(self.ctx, seconds)

    # one's own account
    @rpc
    def get_me(self, caller: dict) -> dict:
        return accounts.get_me(self.ctx, Caller.of(caller))

    @rpc
    def update_me(self, caller: dict, changes: dict) -> dict:
        return accounts.update_me(self.ctx, Caller.of(caller), _dict(changes))

    @rpc
    def change_email(self, caller: dict, data: dict) -> dict:
        return accounts.change_email(self.ctx, Caller.of(caller), _dict(data))

    @rpc
    def change_password(self, caller: dict, data: dict) -> None:
        accounts.change_password(self.ctx, Caller.of(caller), _session(caller), _dict(data))

    @rpc
    def delete_me(self, caller: dict, data: dict) -> None:
        accounts.delete_me(self.ctx, Caller.of(caller), _dict(data))

    @rpc
    def request_password_reset(self, email: Any) -> None:
        accounts.ask_password_reset(self.ctx, email)

    @handles("identity", "password_reset_asked", subscription="send_password_reset")
    def send_password_reset(self, event: Event) -> None:
        """The part of a reset request that depends on the address, after the answer."""
        accounts.send_password_reset(self.ctx, event.data.get("email"))

    @rpc
    def reset_password(self, token: Any, data: dict) -> None:
        accounts.reset_password(self.ctx, token, _dict(data))

    # accounts coming to exist, and finding them
    @rpc
    def register_secretary(self, data: dict) -> dict:
        return registration.register(self.ctx, SECRETARY, _dict(data))

    @rpc
    def register_citizen(self, data: dict) -> dict:
        return registration.register(self.ctx, CITIZEN, _dict(data))

    @rpc
    def create_staff(self, caller: dict, data: dict) -> dict:
        return registration.create_staff(self.ctx, Caller.of(caller), _dict(data))

    @rpc
    def find_secretaries(self, cpf: Any = None, email: Any = None, name: Any = None,
                         limit: Any = 50, cursor: Any = None) -> dict:
        return accounts.find_secretaries(self.ctx, cpf, email, name, limit, cursor)

    @rpc
    def get_accounts(self, ids: Any) -> list[dict]:
        return accounts.get_accounts(self.ctx, ids)

    # providers
    @rpc
    def preregister_provider(self, caller: dict, data: dict) -> dict:
        return registration.preregister_provider(self.ctx, Caller.of(caller), _dict(data))

    @rpc
    def get_registration(self, token: Any) -> dict:
        return registration.get_registration(self.ctx, token)

    @rpc
    def complete_registration(self, token: Any, data: dict) -> dict:
        return registration.complete_registration(self.ctx, token, _dict(data))

    @rpc
    def get_provider(self, provider_id: Any) -> dict:
        return providers.get_provider(self.ctx, provider_id)

    @rpc
    def show_provider(self, caller: dict, provider_id: Any) -> dict:
        return providers.show_provider(self.ctx, Caller.of(caller), provider_id)

    @rpc
    def list_providers(self, caller: dict, q: Any = None, provider_type: Any = None,
                       city: Any = None, status: Any = None, limit: Any = 50,
                       cursor: Any = None) -> dict:
        return providers.list_providers(self.ctx, Caller.of(caller), q, provider_type, city,
                                        status, limit, cursor)

    @rpc
    def get_missing_profile(self, provider_id: Any) -> list[str]:
        return providers.get_missing_profile(self.ctx, provider_id)

    @rpc
    def update_provider_profile(self, caller: dict, provider_id: Any, changes: dict) -> dict:
        return providers.update_provider_profile(self.ctx, Caller.of(caller), provider_id,
                                                 _dict(changes))

    @rpc
    def add_provider_image(self, caller: dict, provider_id: Any, image: dict) -> dict:
        return providers.add_provider_image(self.ctx, Caller.of(caller), provider_id,
                                           _dict(image))

    @rpc
    def remove_provider_image(self, caller: dict, provider_id: Any, image_id: Any) -> None:
        providers.remove_provider_image(self.ctx, Caller.of(caller), provider_id, image_id)
