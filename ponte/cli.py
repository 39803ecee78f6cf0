"""The ``ponte`` command: ``up`` (all-in-one), ``demo`` (all-in-one with sample people and work),
``run <component>``, ``dead-letters``, ``subscriptions``."""
import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import ponte.green  # noqa: F401  first: eventlet patches the standard library
from ponte.config import SERVICES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ponte", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the gateway and all five services in one process")
    commands.add_parser("demo", help="run `up` with sample people and work in it, and print "
                        "who to sign in as (docs/demo.md)")
    run = commands.add_parser("run", help="run one component (scale by running more copies)")
    run.add_argument("component", choices=[*SERVICES, "gateway"])
    dead = commands.add_parser("dead-letters", help="list or replay event handler runs that "
                               "failed every retry")
    dead.add_argument("service", choices=SERVICES)
    dead.add_argument("--replay", nargs="?", const="all", metavar="ID",
                      help="put one (by id) or all dead runs back into the retry queue")
    subs = commands.add_parser("subscriptions", help="list the durable event queues this code "
                               "consumes (docs/events.md: renaming or retiring a subscription)")
    subs.add_argument("--declare", action="store_true",
                      help="also declare and bind them on the broker (AMQP_URI)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from ponte.demo.run import main as demo
        return demo()
    from ponte import runtime
    if args.command == "up":
        runtime.serve(runtime.COMPONENTS)
    elif args.command == "run":
        runtime.serve([args.component])
    elif args.command == "subscriptions":
        return _subscriptions(args.declare)
    else:
        return _dead_letters(args.service, args.replay)
    return 0


def _subscriptions(declare: bool) -> int:
    from kombu import Connection

    from ponte import messaging
    from ponte.config import settings

    queues = [queue for source in SERVICES for queue in messaging.subscriber_queues(source)]
    if declare:
        with Connection(settings().amqp_uri) as connection:
            for queue in queues:
                queue.bind(connection).declare()
    for queue in queues:
        print(queue.name)
    return 0


def _dead_letters(service: str, replay: str | None) -> int:
    import sqlalchemy as sa

    from ponte import messaging
    from ponte.db import ROOT, create_engine_for, migrate

    if not (ROOT / "services" / service / "migrations").is_dir():
        print(f"{service} keeps no database, so it has no event handler runs", file=sys.stderr)
        return 0
    engine = create_engine_for(service)
    migrate(service, engine)  # what the service does at start; a no-op once it has run
    if replay:
        count = messaging.replay_dead(engine, None if replay == "all" else int(replay))
        print(f"{count} handler run(s) queued for retry; they run when {service} is up")
        return 0
    with engine.connect() as conn:
        rows = conn.execute(sa.select(messaging.event_failures).where(
            messaging.event_failures.c.status == "dead")).mappings().all()
    for row in rows:
        print(json.dumps({"id": row["id"], "handler": row["handler"], "event": row["envelope"],
                          "attempts": row["attempts"],
                          "last_error": row["last_error"].splitlines()[-1:]}, default=str))
    print(f"{len(rows)} dead handler run(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
