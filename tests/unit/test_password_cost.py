"""The cost of password hashes: configurable, memory-hard, and upgraded at the next sign-in."""
from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters

from ponte import config
from services.identity import service as identity_service
from services.identity.domain.passwords import Passwords, hasher


def test_the_default_cost_is_owasp_argon2id_minimum(monkeypatch, tmp_path):
    """What identity hashes with when nothing is configured: the defaults of ponte.config as
    the service's own ``passwords()`` builds them."""
    for name in ("PONTE_PASSWORD_HASH_MEMORY_KIB", "PONTE_PASSWORD_HASH_TIME_COST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    config.settings.cache_clear()
    identity_service.passwords.cache_clear()
    try:
        stored = identity_service.passwords().hash("Secret#1")
    finally:
        config.settings.cache_clear()
        identity_service.passwords.cache_clear()
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)


def test_hashes_made_with_another_cost_still_verify_and_ask_to_be_rehashed():
    older = PasswordHasher().hash("Secret#1")  # argon2-cffi's own, heavier default
    current = Passwords(hasher(19456, 2))
    assert current.verify(older, "Secret#1")
    assert not current.verify(older, "Secret#2")
    assert current.needs_rehash(older)
    assert not current.needs_rehash(current.hash("Secret#1"))
