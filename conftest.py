"""Test-wide fixtures: where the reference data is, and a real PostgreSQL when one is reachable.

In CI (CI=true) a test that needs PostgreSQL fails when none is reachable; elsewhere it is skipped with
the reason printed in the summary (`-ra`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO_ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("OVERSTAP_SHARED_DIR", REPO_ROOT.parent / "shared"))
DEFAULT_TEST_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"reference data not found at {data} (set OVERSTAP_SHARED_DIR)")
    return data


@pytest.fixture(scope="session")
def shared_eval_dir() -> Path:
    evaluation = SHARED / "eval"
    if not evaluation.is_dir():
        pytest.skip(f"evaluation sets not found at {evaluation} (set OVERSTAP_SHARED_DIR)")
    return evaluation


def _reachable(url: str) -> bool:
    parsed = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a real PostgreSQL server for tests (OVERSTAP_TEST_DATABASE_URL)."""
    url = os.environ.get("OVERSTAP_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if not _reachable(url):
        message = f"PostgreSQL not reachable at {url}"
        if in_ci():
            pytest.fail(message + " (CI requires it)")
        pytest.skip(message)
    return url
