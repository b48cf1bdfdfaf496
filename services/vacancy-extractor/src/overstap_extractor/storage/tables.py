"""Tables of the vacancy database (schema owned by this service; migrations in ``storage/migrations``).

- ``vacancies``: one row per (job board, external id). ``pk`` orders lists and pages; ``id`` is the public id.
  A deleted vacancy stays as a tombstone (``deleted_at`` set, skills gone) so the matcher's change feed can say
  it is gone; sending it again revives the row.
- ``vacancy_skills``: the demanded, suggested and removed skills of a vacancy, with their mentions in the text.
- ``vacancy_change_counter``: one row; every change of a vacancy takes the next number and stamps it in
  ``vacancies.change_seq``, which the matcher's feed pages through.
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
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY is the auto-incrementing rowid.
Serial = BigInteger().with_variant(Integer(), "sqlite")
Instant = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = named_metadata()


class VacancyRow(Base):
    __tablename__ = "vacancies"
    __table_args__ = (
        UniqueConstraint("job_board", "external_id"),
        Index("ix_vacancies_job_board_pk", "job_board", "pk"),
        Index("ix_vacancies_change_seq", "change_seq", unique=True),
    )

    pk: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    job_board: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_format: Mapped[str] = mapped_column(String(10))
    employer: Mapped[str] = mapped_column(String(300))
    location: Mapped[str] = mapped_column(String(300))
    hours_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    hours_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    posted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    language_source: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64))
    occupations: Mapped[list] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(BigInteger)
    change_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    deleted_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)


class VacancySkillRow(Base):
    __tablename__ = "vacancy_skills"

    vacancy_pk: Mapped[int] = mapped_column(Serial, ForeignKey("vacancies.pk", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    required: Mapped[bool] = mapped_column(Boolean)
    min_evidence: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    # [[start, end, sentence_start, sentence_end, source_start, source_end, confidence, required], ...]
    mentions: Mapped[list] = mapped_column(JSON)


class ChangeCounterRow(Base):
    __tablename__ = "vacancy_change_counter"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
