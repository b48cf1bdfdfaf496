"""Vacancies, their skills, and the change counter of the matcher's feed.

Revision ID: 0001
Revises:
Create Date: 2025-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vacancies",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("job_board", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("source_format", sa.String(10), nullable=False),
        sa.Column("employer", sa.String(300), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("hours_min", sa.Float, nullable=True),
        sa.Column("hours_max", sa.Float, nullable=True),
        sa.Column("posted_on", sa.Date, nullable=True),
        sa.Column("expires_on", sa.Date, nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("language_source", sa.String(10), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("occupations", sa.JSON, nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("change_seq", sa.BigInteger, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("deleted_at", AT, nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_vacancies"),
        sa.UniqueConstraint("id", name="uq_vacancies_id"),
        sa.UniqueConstraint("job_board", "external_id", name="uq_vacancies_job_board_external_id"),
    )
    op.create_index("ix_vacancies_job_board_pk", "vacancies", ["job_board", "pk"])
    op.create_index("ix_vacancies_change_seq", "vacancies", ["change_seq"], unique=True)
    op.create_table(
        "vacancy_skills",
        sa.Column("vacancy_pk", SERIAL, nullable=False),
        sa.Column("skill_id", sa.String(300), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("min_evidence", sa.String(10), nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("mentions", sa.JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["vacancy_pk"], ["vacancies.pk"], name="fk_vacancy_skills_vacancy_pk_vacancies", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("vacancy_pk", "skill_id", name="pk_vacancy_skills"),
    )
    counter = op.create_table(
        "vacancy_change_counter",
        sa.Column("id", sa.SmallInteger, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vacancy_change_counter"),
    )
    op.bulk_insert(counter, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("vacancy_change_counter")
    op.drop_table("vacancy_skills")
    op.drop_index("ix_vacancies_change_seq", table_name="vacancies")
    op.drop_index("ix_vacancies_job_board_pk", table_name="vacancies")
    op.drop_table("vacancies")
