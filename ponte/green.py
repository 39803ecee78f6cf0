"""eventlet patches the standard library here, before anything else imports it.

Imported first by the ``ponte`` command and loaded by pytest as an early plugin (``-p
ponte.green`` in pyproject.toml): pytest loads ``-p`` plugins before the ones installed
packages register, and some of those (schemathesis's) import ``ssl`` and ``socket``, which
would then stay unpatched and block the whole process.
"""
import eventlet

eventlet.monkey_patch()
