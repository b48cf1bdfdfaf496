"""Passport database: passports, skills, evidence, validation steps, work history, education, consents, audit.

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

ID = sa.String(36)
URI = sa.String(300)
AT = sa.DateTime(timezone=True)
SUBJECT = sa.String(200)


def _fk(table: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "passports",
        sa.Column("id", ID, primary_key=True),
        sa.Column("owner_subject", SUBJECT, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("contact_ct", sa.LargeBinary, nullable=True),
        sa.Column("wishes", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("self_profile", sa.JSON, nullable=False),
        sa.Column("self_profile_at", AT, nullable=True),
        sa.Column("audit_head_seq", sa.BigInteger, nullable=False),
        sa.Column("audit_head_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_passports"),
        sa.UniqueConstraint("owner_subject", name="uq_passports_owner_subject"),
    )
    op.create_table(
        "skills",
        sa.Column("id", ID, nullable=False),
        sa.Column("passport_id", ID, _fk("passports"), nullable=False),
        sa.Column("skill_uri", URI, nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_skills"),
        sa.UniqueConstraint("passport_id", "skill_uri", name="uq_skills_passport_id_skill_uri"),
    )
    op.create_table(
        "work_history",
        sa.Column("id", ID, nullable=False),
        sa.Column("passport_id", ID, _fk("passports"), nullable=False),
        sa.Column("occupation", URI, nullable=False),
        sa.Column("esco_occupation_uri", URI, nullable=False),
        sa.Column("occupation_label", sa.String(300), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("added_by_subject", SUBJECT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_work_history"),
    )
    op.create_index("ix_work_history_passport_id", "work_history", ["passport_id"])
    op.create_table(
        "education",
        sa.Column("id", ID, nullable=False),
        sa.Column("passport_id", ID, _fk("passports"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("reference_ct", sa.LargeBinary, nullable=True),
        sa.Column("skill_uris", sa.JSON, nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("added_by_subject", SUBJECT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_education"),
    )
    op.create_index("ix_education_passport_id", "education", ["passport_id"])
    op.create_table(
        "evidence",
        sa.Column("id", ID, nullable=False),
        sa.Column("passport_id", ID, _fk("passports"), nullable=False),
        sa.Column("skill_id", ID, _fk("skills"), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("reference_ct", sa.LargeBinary, nullable=True),
        sa.Column("issued_on", sa.Date, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("added_by_subject", SUBJECT, nullable=False),
        sa.Column("added_by_organisation", SUBJECT, nullable=False),
        sa.Column("added_by_role", sa.String(32), nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("derived", sa.Boolean, nullable=False),
        sa.Column("confirmed", sa.Boolean, nullable=False),
        sa.Column("work_history_id", ID, _fk("work_history"), nullable=True),
        sa.Column("education_id", ID, _fk("education"), nullable=True),
        sa.Column("derived_from", URI, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence"),
        sa.CheckConstraint("kind BETWEEN 1 AND 3", name="ck_evidence_kind"),
    )
    op.create_index("ix_evidence_passport_id", "evidence", ["passport_id"])
    op.create_index("ix_evidence_skill_id", "evidence", ["skill_id"])
    op.create_index("ix_evidence_work_history_id", "evidence", ["work_history_id"])
    op.create_index("ix_evidence_education_id", "evidence", ["education_id"])
    op.create_table(
        "validation_steps",
        sa.Column("id", ID, nullable=False),
        sa.Column("passport_id", ID, _fk("passports"), nullable=False),
        sa.Column("skill_id", ID, _fk("skills"), nullable=False),
        sa.Column("phase", sa.SmallInteger, nullable=False),
        sa.Column("actor_subject", SUBJECT, nullable=False),
        sa.Column("actor_organisation", SUBJECT, nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("performed_on", sa.Date, nullable=False),
        sa.Column("recorded_at", AT, nullable=False),
        sa.Column("evidence_ids", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_validation_steps"),
        sa.CheckConstraint("phase BETWEEN 1 AND 4", name="ck_validation_steps_phase"),
    )
    op.create_index("ix_validation_steps_passport_id", "validation_steps", ["passport_id"])
    op.create_index("ix_validation_steps_skill_id", "validation_steps", ["skill_id"])
    op.create_table(
        "consents",
        sa.Column("id", ID, nullable=False),
        sa.Column("passport_id", ID, _fk("passports"), nullable=False),
        sa.Column("grantee", SUBJECT, nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("parts", sa.JSON, nullable=False),
        sa.Column("valid_from", AT, nullable=False),
        sa.Column("valid_to", AT, nullable=True),
        sa.Column("granted_at", AT, nullable=False),
        sa.Column("granted_by", SUBJECT, nullable=False),
        sa.Column("withdrawn_at", AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consents"),
    )
    op.create_index("ix_consents_purpose_grantee", "consents", ["purpose", "grantee", "passport_id"])
    op.create_index("ix_consents_passport_id", "consents", ["passport_id"])
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), autoincrement=True, nullable=False),
        sa.Column("passport_id", ID, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("actor_subject", SUBJECT, nullable=False),
        sa.Column("actor_organisation", SUBJECT, nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("consent_id", sa.String(36), nullable=False),
        sa.Column("details_json", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
        sa.UniqueConstraint("passport_id", "seq", name="uq_audit_entries_passport_id_seq"),
    )
    op.create_table(
        "erasure_grants",
        sa.Column("passport_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("passport_id", name="pk_erasure_grants"),
    )
    _append_only_audit()


def _append_only_audit() -> None:
    """UPDATE on audit_entries is refused; DELETE only for a passport under erasure (row in erasure_grants)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM erasure_grants g WHERE g.passport_id = OLD.passport_id)
                THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
            "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only (UPDATE refused)'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
            "WHEN NOT EXISTS (SELECT 1 FROM erasure_grants g WHERE g.passport_id = OLD.passport_id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only (DELETE refused)'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
    for table in (
        "erasure_grants", "audit_entries", "consents", "validation_steps", "evidence", "education", "work_history",
        "skills", "passports",
    ):  # fmt: skip
        op.drop_table(table)
