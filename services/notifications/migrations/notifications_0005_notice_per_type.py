"""The inbox keeps one item per (event, notification type, recipient), not per (event,
recipient): a request authorized at its submission is one event told as two notices, submitted
and authorized (``domain.incoming.notices``, issue 21).

Revision ID: notifications_0005
Revises: notifications_0004
"""
from alembic import op

revision = "notifications_0005"
down_revision = "notifications_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("uq_notifications_event_recipient", type_="unique")
        batch.create_unique_constraint("uq_notifications_event_notice",
                                       ["event_id", "type", "account_id"])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("uq_notifications_event_notice", type_="unique")
        batch.create_unique_constraint("uq_notifications_event_recipient",
                                       ["event_id", "account_id"])
