"""Which request or appointment holds each attachment."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ponte.db import insert_ignoring_duplicates
from services.attendance.models import held_attachments
from services.attendance.repository.base import Part


class HeldAttachments(Part):
    def hold_attachments(self, attachments: Iterable[dict], holder: str, holder_id: str) -> None:
        for attachment in attachments:
            insert_ignoring_duplicates(self.session, held_attachments,
                                       attachment_id=attachment["id"], holder=holder,
                                       holder_id=holder_id)

    def holders_of(self, attachment_id: str) -> list[tuple[str, str]]:
        rows = self.session.execute(sa.select(held_attachments.c.holder,
                                              held_attachments.c.holder_id)
                                    .where(held_attachments.c.attachment_id == attachment_id))
        return [(r.holder, r.holder_id) for r in rows]
