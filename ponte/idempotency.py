"""``Idempotency-Key`` (API.md conventions): a retried create returns the first answer.

The gateway declares a route ``idempotent=True``; when the client sends the header it passes
``{"account_id", "key", "fingerprint"}`` (the fingerprint is a hash of method, path and body) to
the service, which runs the creation through :func:`run_once`. The key and the answer are stored
in the service's own database *in the creation's transaction*, so either both exist or neither:

* same caller, key and body → the stored answer, nothing created again;
* same caller and key, another body → 409;
* two retries racing: both may run, but only one can insert the key; the other's whole
  transaction (its creation included) rolls back and it answers with the winner's result.

Keys are kept :data:`RETENTION` (48 h, the contract asks for at least 24 h).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ponte.clock import now
from ponte.db import Transaction, UTCDateTime
from ponte.errors import Conflict
from ponte.later import write_later

RETENTION = timedelta(hours=48)
PRUNE_EVERY_SECONDS = 3600.0
_last_prune = [0.0]

metadata = sa.MetaData()

idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("response", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
)


STORED = sa.select(idempotency_keys).where(
    idempotency_keys.c.account_id == sa.bindparam("account"),
    idempotency_keys.c.key == sa.bindparam("given_key"))
KEEP = idempotency_keys.insert()


def create_tables(connection: sa.Connection) -> None:
    """Called from a service's migration."""
    metadata.create_all(connection)


def run_once(db: Any, idempotency: dict | None,
             work: Callable[[Transaction], dict]) -> dict:
    """``work(tx)`` in one transaction of ``db`` (a worker's database), once per key."""
    if not idempotency:
        with db.transaction() as tx:
            return work(tx)
    account_id, key = str(idempotency["account_id"]), str(idempotency["key"])
    fingerprint = str(idempotency["fingerprint"])
    stored = _stored(db, account_id, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with db.transaction() as tx:
            result = work(tx)
            _prune(tx)
            write_later(tx.session, KEEP, {"account_id": account_id, "key": key,
                                           "fingerprint": fingerprint, "response": result,
                                           "created_at": now()})
        return result
    except sa.exc.IntegrityError:
        stored = _stored(db, account_id, key)
        if stored is None:  # some other constraint: not ours to explain
            raise
        return _replay(stored, fingerprint)


def _stored(db: Any, account_id: str, key: str) -> sa.RowMapping | None:
    """The key's row, read without a transaction around it (one round trip: most keys are
    new); an expired one is deleted and counts as absent."""
    with db.read() as session:
        row = session.execute(STORED, {"account": account_id, "given_key": key}) \
            .mappings().first()
    if row is not None and row["created_at"] < now() - RETENTION:
        with db.transaction() as tx:
            tx.session.execute(idempotency_keys.delete().where(
                idempotency_keys.c.account_id == account_id, idempotency_keys.c.key == key,
                idempotency_keys.c.created_at == row["created_at"]))
        return None
    return row


def _replay(stored: sa.RowMapping, fingerprint: str) -> dict:
    if stored["fingerprint"] != fingerprint:
        raise Conflict("This Idempotency-Key was already used with another request.",
                       {"Idempotency-Key": ["Already used with a different body."]})
    return stored["response"]


def _prune(tx: Transaction) -> None:
    """Drop expired keys, at most once an hour per process."""
    if time.monotonic() - _last_prune[0] < PRUNE_EVERY_SECONDS:
        return
    _last_prune[0] = time.monotonic()
    tx.session.execute(idempotency_keys.delete().where(
        idempotency_keys.c.created_at < now() - RETENTION))
