"""The in-process broker used by the all-in-one mode.

kombu's ``memory://`` transport needs two fixes to carry nameko: its messages keep
``content_type`` outside ``properties`` (nameko's RPC responder reads it from there), and it polls
every second, which would make every RPC take about a second. Importing this module registers the
fixed transport under the ``memory`` alias.
"""
from __future__ import annotations

import kombu.transport
from kombu.transport import memory, virtual


class _Message(virtual.Message):
    def __init__(self, payload, channel=None, **kwargs):
        super().__init__(payload, channel=channel, **kwargs)
        self.properties.setdefault("content_type", self.content_type)


class _Channel(memory.Channel):
    Message = _Message


class Transport(memory.Transport):
    Channel = _Channel
    polling_interval = 0.005


kombu.transport.TRANSPORT_ALIASES["memory"] = f"{__name__}:Transport"
