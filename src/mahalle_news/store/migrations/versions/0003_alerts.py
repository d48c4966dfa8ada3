"""Alerts: saved searches, the notifications they fired and the webhook outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen copies of the column types (a migration must not change when schema.py does)
UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("filter", JSON, nullable=False),
        sa.Column("on_new", sa.Boolean, nullable=False),
        sa.Column("on_changed", sa.Boolean, nullable=False),
        sa.Column("webhook_url", sa.Text),
        sa.Column("webhook_secret", sa.Text),
        sa.Column("feed_token_sha256", sa.Text, nullable=False),
        sa.Column("key_id", sa.Text),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_alerts_key_id", "alerts", ["key_id"])
    op.create_table(
        "alert_notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.Text, nullable=False),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("dedup_key", sa.Text, nullable=False),
        sa.Column("fact_id", sa.Integer),
        sa.Column("article_id", sa.Integer),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("alert_id", "kind", "story_id", "dedup_key", name="uq_alert_notifications_once"),
        sa.UniqueConstraint("uuid", name="uq_alert_notifications_uuid"),
    )
    op.create_index("ix_alert_notifications_alert_id", "alert_notifications", ["alert_id", "id"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "notification_id",
            sa.Integer,
            sa.ForeignKey("alert_notifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTC_TIME),
        sa.Column("last_attempt_at", UTC_TIME),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", UTC_TIME),
        sa.Column("history", JSON),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("notification_id", name="uq_alert_deliveries_notification"),
    )
    op.create_index("ix_alert_deliveries_due", "alert_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_alert_deliveries_alert_id", "alert_deliveries", ["alert_id"])


def downgrade() -> None:
    for table in ("alert_deliveries", "alert_notifications", "alerts"):
        op.drop_table(table)
