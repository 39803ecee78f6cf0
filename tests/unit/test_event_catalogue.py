"""docs/events.md says what is true: for the events of identity and relationships, the consumers
it lists are exactly the services that subscribe to them in code (durable subscriptions declared
with ``ponte.messaging.handles`` and the gateway's broadcast handlers)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from nameko.events import EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from ponte.runtime import service_classes

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("identity", "relationships")


def documented(source: str) -> dict[str, set[str]]:
    """Event type → consumer services named in the source's table."""
    text = (ROOT / "docs" / "events.md").read_text()
    section = text.split(f"\n## {source}\n", 1)[1].split("\n## ", 1)[0]
    found = {}
    for event, consumers in re.findall(r"^\| `(\w+)` \|.*\| ([^|]+) \|$", section, re.M):
        plain = re.sub(r"\([^)]*\)", "", consumers)
        found[event] = {part.strip().split()[0] for part in plain.split(",")
                        if part.strip() and part.strip() != "none yet"}
    return found


def subscribed(source: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, cls in service_classes().items():
        for attribute in dir(cls):
            for entrypoint in getattr(getattr(cls, attribute, None), ENTRYPOINT_EXTENSIONS_ATTR,
                                      ()):
                if isinstance(entrypoint, EventHandler) and entrypoint.source_service == source:
                    found.setdefault(entrypoint.event_type, set()).add(name)
    return found


@pytest.mark.parametrize("source", SOURCES)
def test_the_catalogue_lists_the_real_consumers(source):
    docs, code = documented(source), subscribed(source)
    assert set(code) <= set(docs), f"undocumented {source} events: {set(code) - set(docs)}"
    assert {event: docs[event] for event in docs} == {
        event: code.get(event, set()) for event in docs}
