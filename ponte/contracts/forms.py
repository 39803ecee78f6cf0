"""Every field error in one answer (API.md, issue 17 item 4): where a service adds rules of its
own to a form the edge checked, the edge hands over what it already found, under this key of
the data, instead of refusing first; the service answers every error together."""
from __future__ import annotations

FORM_ERRORS = "_form_errors"
"""``{field: [message, ...]}`` as the problem document names fields (``sites.0.email``)."""
