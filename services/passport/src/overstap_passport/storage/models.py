"""Tables of the passport database (schema owned by this service; migrations in ``overstap_passport.migrations``).

Personal fields are stored encrypted (``*_ct`` columns, see ``overstap_passport.crypto.envelope``). The audit
table is append-only: database triggers refuse UPDATE, and DELETE except while the passport is being erased.
The key store (wrapped data keys) is a separate database with its own metadata, :data:`keystore_metadata`.
"""

from __future__ import annotations

from datetime import date, datetime

from overstap_storage.naming import named_metadata
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Id = String(36)
Uri = String(300)
Instant = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = named_metadata()


class KeystoreBase(DeclarativeBase):
    metadata = named_metadata()


class PassportRow(Base):
    __tablename__ = "passports"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    owner_subject: Mapped[str] = mapped_column(String(200), unique=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
    created_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    contact_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    wishes: Mapped[dict] = mapped_column(JSON, default=dict)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    self_profile: Mapped[dict] = mapped_column(JSON, default=dict)
    self_profile_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    audit_head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    audit_head_hash: Mapped[str] = mapped_column(String(64), default="")


class SkillRow(Base):
    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("passport_id", "skill_uri"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    passport_id: Mapped[str] = mapped_column(Id, ForeignKey("passports.id", ondelete="CASCADE"))
    skill_uri: Mapped[str] = mapped_column(Uri)
    label: Mapped[str] = mapped_column(String(300), default="")
    added_at: Mapped[datetime] = mapped_column(Instant)


class WorkHistoryRow(Base):
    __tablename__ = "work_history"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    passport_id: Mapped[str] = mapped_column(Id, ForeignKey("passports.id", ondelete="CASCADE"), index=True)
    occupation: Mapped[str] = mapped_column(Uri)
    esco_occupation_uri: Mapped[str] = mapped_column(Uri)
    occupation_label: Mapped[str] = mapped_column(String(300), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    employer: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(Instant)
    added_by_subject: Mapped[str] = mapped_column(String(200))


class EducationRow(Base):
    __tablename__ = "education"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    passport_id: Mapped[str] = mapped_column(Id, ForeignKey("passports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger, default=0)
    institution: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    reference_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    skill_uris: Mapped[list] = mapped_column(JSON, default=list)
    added_at: Mapped[datetime] = mapped_column(Instant)
    added_by_subject: Mapped[str] = mapped_column(String(200))


class EvidenceRow(Base):
    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    passport_id: Mapped[str] = mapped_column(Id, ForeignKey("passports.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[str] = mapped_column(Id, ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    kind: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(200), default="")
    reference_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    added_by_subject: Mapped[str] = mapped_column(String(200))
    added_by_organisation: Mapped[str] = mapped_column(String(200), default="")
    added_by_role: Mapped[str] = mapped_column(String(32), default="person")
    added_at: Mapped[datetime] = mapped_column(Instant)
    derived: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    work_history_id: Mapped[str | None] = mapped_column(
        Id, ForeignKey("work_history.id", ondelete="CASCADE"), nullable=True, index=True
    )
    education_id: Mapped[str | None] = mapped_column(
        Id, ForeignKey("education.id", ondelete="CASCADE"), nullable=True, index=True
    )
    derived_from: Mapped[str] = mapped_column(Uri, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class ValidationStepRow(Base):
    __tablename__ = "validation_steps"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    passport_id: Mapped[str] = mapped_column(Id, ForeignKey("passports.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[str] = mapped_column(Id, ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    phase: Mapped[int] = mapped_column(SmallInteger)
    actor_subject: Mapped[str] = mapped_column(String(200))
    actor_organisation: Mapped[str] = mapped_column(String(200), default="")
    actor_role: Mapped[str] = mapped_column(String(32), default="person")
    performed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(Instant)
    evidence_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class ConsentRow(Base):
    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consents_purpose_grantee", "purpose", "grantee", "passport_id"),
        Index("ix_consents_passport_id", "passport_id"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    passport_id: Mapped[str] = mapped_column(Id, ForeignKey("passports.id", ondelete="CASCADE"))
    grantee: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40))
    parts: Mapped[list] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(Instant)
    valid_to: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    granted_at: Mapped[datetime] = mapped_column(Instant)
    granted_by: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)


class AuditEntryRow(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("passport_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    # No foreign key: entries outlive nothing, but erasure removes them explicitly (see ErasureGrantRow).
    passport_id: Mapped[str] = mapped_column(Id)
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(Instant)
    actor_subject: Mapped[str] = mapped_column(String(200))
    actor_organisation: Mapped[str] = mapped_column(String(200), default="")
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40), default="")
    outcome: Mapped[str] = mapped_column(String(10))
    consent_id: Mapped[str] = mapped_column(String(36), default="")
    details_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ErasureGrantRow(Base):
    """Present only inside an erasure transaction: lets the audit triggers allow deleting that passport's trail."""

    __tablename__ = "erasure_grants"

    passport_id: Mapped[str] = mapped_column(Id, primary_key=True)


class DataKeyRow(KeystoreBase):
    """Key store: a person's data key wrapped by the master key. Deleting the row crypto-shreds the person."""

    __tablename__ = "data_keys"

    passport_id: Mapped[str] = mapped_column(Id, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(Instant)


PASSPORT_TABLES = [t.name for t in Base.metadata.sorted_tables]
