"""A care plan may name the appointment it was started from; an inquiry may be about a payment
or an appointment (issue 17, item 6). Appointments belong to the attendance service: only their
ids are kept here.

Revision ID: authorizations_0003
Revises: authorizations_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "authorizations_0003"
down_revision = "authorizations_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("requests", sa.Column("appointment_id", sa.String(36)))
    with op.batch_alter_table("inquiries") as batch:
        batch.add_column(sa.Column("payment_id", sa.String(36)))
        batch.add_column(sa.Column("appointment_id", sa.String(36)))
        batch.create_foreign_key("fk_inquiries_payment_id_payments", "payments",
                                 ["payment_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.drop_constraint("fk_inquiries_payment_id_payments", type_="foreignkey")
        batch.drop_column("appointment_id")
        batch.drop_column("payment_id")
    op.drop_column("requests", "appointment_id")
