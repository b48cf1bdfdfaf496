"""Alembic environment for the passport database and the key store (chosen by config.attributes["target"]).

Run with a connection (the service at start), online with an async URL (``overstap passport migrate``), or
offline (``--sql``): see ``overstap_storage.alembic_env``.
"""

from __future__ import annotations

from alembic import context
from overstap_storage.alembic_env import run_migrations

from overstap_passport.migrations import VERSION_TABLES
from overstap_passport.storage.models import Base, KeystoreBase

target = context.config.attributes.get("target", context.config.get_main_option("target") or "passport")
run_migrations(KeystoreBase.metadata if target == "keystore" else Base.metadata, VERSION_TABLES[target])
