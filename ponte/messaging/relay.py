"""The relay (one per service container): publishes the outbox with publisher confirms, retries
failed handler runs with backoff until ``MAX_ATTEMPTS`` parks them as dead, and prunes old
records of processed events."""
from __future__ import annotations

import logging
import threading
import time
import traceback
from datetime import timedelta

import sqlalchemy as sa
from kombu import Connection
from nameko import config as nameko_config
from nameko.exceptions import ContainerBeingKilled

from ponte.clock import now
from ponte.errors import BROKER_AWAY, database_unreachable, first_line
from ponte.messaging.handlers import ReliableEventHandler, subscriber_queues
from ponte.messaging.outbox import Event, event_exchange
from ponte.messaging.tables import (
    event_failures,
    mark_processed,
    outbox,
    processed_events,
    was_processed,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The relay is woken at once by its own service's commits and sleeps until its next retry is
# due; this poll only catches what another process left behind (a replica that died between
# commit and publish, failures recorded by a replica): seldom, so it costs nothing while idle.
RELAY_POLL_SECONDS = 5.0
# Far longer than any redelivery (a requeued message, a retry: minutes at most), so a duplicate
# of a pruned event cannot arrive; short enough that the table stays small.
PROCESSED_RETENTION = timedelta(days=14)
PRUNE_INTERVAL_SECONDS = 3600.0
PUBLISH_BATCH = 100
# How long a claimed retry is kept from other replicas: far longer than a handler runs (its RPCs
# have deadlines of seconds; a run past the lease may meet a second one, and processed_events
# lets only one commit). A replica killed while running one leaves it this long; it was 5
# minutes, longer than bench/chaos.py waits after restarting notifications.
RETRY_LEASE = timedelta(seconds=60)


# The next batch, marked published and read back in one statement: the mark commits only once
# every event of the batch is in the broker (a failed publish rolls it back), and rows another
# replica's relay holds are skipped. RETURNING keeps no order: the batch is sorted by seq.
CLAIM = outbox.update().where(outbox.c.seq.in_(
    sa.select(outbox.c.seq).where(outbox.c.published_at.is_(None)).order_by(outbox.c.seq)
    .limit(sa.bindparam("batch")).with_for_update(skip_locked=True).scalar_subquery())) \
    .values(published_at=sa.bindparam("at")) \
    .returning(outbox.c.seq, outbox.c.event_type, outbox.c.payload, outbox.c.correlation_id)


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at 5 minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))



class Relay:
    """Publishes a container's outbox and replays its failed event handlers."""

    def __init__(self, container, engine: sa.Engine) -> None:  # noqa: ANN001
        self.container = container
        self.service = container.service_name
        self.engine = engine
        self._wake = threading.Event()
        self._stopping = False
        self._connection: Connection | None = None
        self._exchange = event_exchange(self.service)
        self._next_retry: float | None = None  # monotonic time of the earliest retry known
        self._next_scan = 0.0  # monotonic time of the next look for retries left by others

    def start(self) -> None:
        self._stopping = False
        self.container.spawn_managed_thread(self._run, identifier=f"relay:{self.service}")

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._connection is not None:
            self._connection.release()
            self._connection = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        next_prune = 0.0
        while not self._stopping:
            try:
                self.publish_pending()
                if self._retries_may_be_due():
                    self.retry_due()
                if time.monotonic() >= next_prune:
                    self.prune_processed()
                    next_prune = time.monotonic() + PRUNE_INTERVAL_SECONDS
            except Exception as exc:
                if database_unreachable(exc) or isinstance(exc, BROKER_AWAY):
                    log.warning("relay of %s waits: %s", self.service, first_line(exc))
                else:
                    log.exception("relay of %s failed; retrying", self.service)
                self._connection = None
            self._wake.wait(self._sleep())
            self._wake.clear()

    def _retries_may_be_due(self) -> bool:
        """When a retry this relay scheduled falls due, or at each poll: not at every wake by a
        commit (issue 21: a look for due retries was three round trips per commit)."""
        moment = time.monotonic()
        retry_due = self._next_retry is not None and self._next_retry <= moment
        if moment < self._next_scan and not retry_due:
            return False
        self._next_scan = moment + RELAY_POLL_SECONDS
        if retry_due:
            self._next_retry = None  # one scheduled later is kept for its own time
        return True

    def _sleep(self) -> float:
        """Until the next poll, or sooner when a retry this relay scheduled falls due."""
        if self._next_retry is None:
            return RELAY_POLL_SECONDS
        return max(0.0, min(self._next_retry - time.monotonic(), RELAY_POLL_SECONDS))

    def _retry_in(self, delay: timedelta) -> None:
        due = time.monotonic() + delay.total_seconds()
        if self._next_retry is None or due < self._next_retry:
            self._next_retry = due
            self._wake.set()  # recompute the sleep

    def _producer(self):  # noqa: ANN202
        """This relay's producer. The service's exchange and its subscribers' durable queues
        are declared once per connection (a new one after any failure), not at every publish
        (kombu copied each of them for every event: issue 21)."""
        if self._connection is None:
            connection = Connection(nameko_config["AMQP_URI"],
                                    transport_options={"confirm_publish": True})
            try:
                producer = connection.Producer(serializer="json")
                for entity in (self._exchange, *subscriber_queues(self.service)):
                    producer.maybe_declare(entity, retry=True, max_retries=3)
            except Exception:
                connection.release()
                raise
            self._connection, self._publisher = connection, producer
        return self._publisher

    def publish_pending(self) -> int:
        """Publish the outbox in batches of up to :data:`PUBLISH_BATCH`; a batch that was not full
        was the last (rows committed since then woke the relay, or the poll finds them)."""
        published = 0
        while not self._stopping:
            with self.engine.begin() as conn:
                rows = sorted(conn.execute(CLAIM, {"batch": PUBLISH_BATCH, "at": now()}),
                              key=lambda row: row.seq)
                if not rows:
                    return published
                producer = self._producer()
                for row in rows:
                    producer.publish(
                        row.payload, exchange=self._exchange,
                        routing_key=row.event_type, delivery_mode=2,
                        headers={"nameko.correlation_id": row.correlation_id or ""},
                        retry=True, retry_policy={"max_retries": 3})
                published += len(rows)
            if len(rows) < PUBLISH_BATCH:
                return published
        return published

    def prune_processed(self, retention: timedelta = PROCESSED_RETENTION) -> int:
        """Forget events processed longer ago than ``retention``: by then no redelivery of them
        can still be on its way."""
        with self.engine.begin() as conn:
            pruned = conn.execute(processed_events.delete().where(
                processed_events.c.processed_at < now() - retention)).rowcount
        if pruned:
            log.info("pruned %d processed event(s) of %s", pruned, self.service)
        return pruned

    def settle(self, event: Event, handler: str, exc_info) -> None:  # noqa: ANN001
        """Record a handler's outcome: processed, or failed and due for another attempt."""
        with self.engine.begin() as conn:
            if exc_info is None or was_processed(conn, event.id, handler):
                # success, or a concurrent duplicate whose twin already committed the effect
                mark_processed(conn, event.id, handler)
                conn.execute(event_failures.delete().where(
                    event_failures.c.event_id == event.id, event_failures.c.handler == handler))
                return
            error = "".join(traceback.format_exception(*exc_info))[-4000:]
            row = conn.execute(sa.select(event_failures).where(
                event_failures.c.event_id == event.id,
                event_failures.c.handler == handler)).mappings().first()
            attempts = (row["attempts"] if row else 0) + 1
            values = {"attempts": attempts, "last_error": error,
                      "status": "dead" if attempts >= MAX_ATTEMPTS else "retrying",
                      "next_attempt_at": now() + backoff(attempts)}
            if attempts < MAX_ATTEMPTS:
                self._retry_in(backoff(attempts))
            if row:
                conn.execute(event_failures.update().where(event_failures.c.id == row["id"])
                             .values(**values))
            else:
                conn.execute(event_failures.insert().values(
                    event_id=event.id, handler=handler, envelope=event.envelope(),
                    created_at=now(), **values))
            log.warning("handler %s.%s failed on event %s (attempt %d)%s", self.service, handler,
                        event.id, attempts, "; parked as dead" if attempts >= MAX_ATTEMPTS else "")

    def retry_due(self) -> int:
        """Run failed handlers whose backoff has passed (claimed with a lease, so replicas on
        PostgreSQL do not run the same one twice)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(event_failures).where(event_failures.c.status == "retrying",
                                                event_failures.c.next_attempt_at <= now())
                .limit(20).with_for_update(skip_locked=True)).mappings().all()
            for row in rows:
                conn.execute(event_failures.update().where(event_failures.c.id == row["id"])
                             .values(next_attempt_at=now() + RETRY_LEASE))
        entrypoints = {e.subscription: e for e in self.container.entrypoints
                       if isinstance(e, ReliableEventHandler)}
        for n, row in enumerate(rows):
            entrypoint = entrypoints.get(row["handler"])
            if entrypoint is None:
                continue
            event = Event.from_envelope(row["envelope"])
            if was_processed(self.engine, event.id, row["handler"]):
                self.settle(event, row["handler"], None)
                continue
            try:
                self.container.spawn_worker(
                    entrypoint, (event,), {},
                    context_data={"correlation_id": event.correlation_id},
                    handle_result=self._settles(event, row["handler"]))
            except ContainerBeingKilled:
                # stopping: what was claimed and not started is due again at once (for the
                # next replica, or this service once it is back), not after the lease
                self._release([r["id"] for r in rows[n:]])
                return n
        return len(rows)

    def _release(self, failure_ids: list[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(event_failures.update().where(event_failures.c.id.in_(failure_ids))
                         .values(next_attempt_at=now()))

    def _settles(self, event: Event, handler: str):  # noqa: ANN202
        """A worker's result handler that records the outcome of a retried run. It must not
        raise: nameko kills the whole container when a result handler does (found by `make
        chaos`, PostgreSQL stopping as a retry ended). An outcome it cannot record leaves the
        retry claimed; it runs again when the claim lapses (:data:`RETRY_LEASE`), and runs
        nothing twice if the first run committed."""
        def handle_result(worker_ctx, result, exc_info):  # noqa: ANN001, ANN202
            try:
                self.settle(event, handler, exc_info)
            except Exception as exc:
                if database_unreachable(exc):
                    log.warning("could not record the retry of %s on %s, the database is away "
                                "(%s); it runs again in %d s", handler, event.id,
                                first_line(exc), RETRY_LEASE.total_seconds())
                else:
                    log.exception("could not record the retry of %s on %s; it runs again in "
                                  "%d s", handler, event.id, RETRY_LEASE.total_seconds())
            return result, exc_info
        return handle_result


def replay_dead(engine: sa.Engine, failure_id: int | None = None) -> int:
    """Put dead handler runs back in the retry queue (all, or one by id)."""
    query = event_failures.update().where(event_failures.c.status == "dead")
    if failure_id is not None:
        query = query.where(event_failures.c.id == failure_id)
    with engine.begin() as conn:
        return conn.execute(query.values(status="retrying", attempts=0,
                                         next_attempt_at=now())).rowcount
