"""Persistence: SQLAlchemy 2 (async) tables, the repository over them and the unit of work that makes a request's
changes one transaction. PostgreSQL (asyncpg) in production, SQLite (aiosqlite) embedded. Migrations: Alembic,
``overstap_extractor.storage.migrations``, with their own version table. Engines and the transaction itself:
``overstap_storage``."""

APPLICATION_NAME = "overstap-vacancy-extractor"  # how PostgreSQL lists this service's connections
