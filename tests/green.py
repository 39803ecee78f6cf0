"""Loaded by pytest before any installed plugin (``-p tests.green`` in pyproject.toml), so
eventlet patches the standard library before schemathesis' or hypothesis' plugins import
``ssl`` and ``socket``. trio's hypothesis plugin cannot be imported under eventlet's patched
socket, and Ponte's tests do not use trio: hypothesis is told to load no plugins."""
import os

os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")

import ponte.green  # noqa: E402,F401
