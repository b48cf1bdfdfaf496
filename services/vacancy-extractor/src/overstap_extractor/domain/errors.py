"""Errors of the vacancy service; the API layer maps each to one gRPC status code."""

from __future__ import annotations


class VacancyError(Exception):
    """Base class; ``str(error)`` is the precise message the caller sees."""


class InvalidInput(VacancyError):
    """Bad input: nothing was changed (INVALID_ARGUMENT)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class NotFound(VacancyError):
    """No such vacancy for this job board (NOT_FOUND; another job board's vacancy is not found either)."""


class AccessDenied(VacancyError):
    """A scope is missing, or the caller has no organisation (PERMISSION_DENIED)."""


class Unauthenticated(VacancyError):
    """No valid caller identity (UNAUTHENTICATED)."""


class StaleVersion(VacancyError):
    """expected_version does not match: someone else changed the vacancy first (ABORTED)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"vacancy was changed by someone else: expected version {expected}, current version {actual}; "
            "read it again and retry"
        )
        self.expected = expected
        self.actual = actual


class Conflict(VacancyError):
    """A concurrent change won the race (ABORTED); retrying is safe."""


class Busy(VacancyError):
    """Too many extractions are waiting (RESOURCE_EXHAUSTED); retry later."""
