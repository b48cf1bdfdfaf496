"""The one error the importer raises for unusable inputs; its message names the file and what it is."""

from __future__ import annotations

from pathlib import Path


class ImportInputError(Exception):
    """An input file is missing, unreadable or not the expected table."""


def missing_file(path: Path, what: str) -> ImportInputError:
    return ImportInputError(f"{what} not found: {path}")


def missing_columns(source: str, what: str, missing: list[str], found: list[str]) -> ImportInputError:
    return ImportInputError(
        f"{source} ({what}): missing column(s) {', '.join(repr(c) for c in missing)}; "
        f"columns found: {', '.join(repr(c) for c in found) or 'none'}"
    )
