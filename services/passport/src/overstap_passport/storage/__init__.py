"""Persistence: SQLAlchemy 2 (async) models, repositories over them, and the unit of work that ties a
request's changes into one transaction. PostgreSQL (asyncpg) in production, SQLite (aiosqlite) embedded.
Engines and the transaction itself: ``overstap_storage``."""

APPLICATION_NAME = "overstap-passport"  # how PostgreSQL lists this service's connections
